using System.Text;
using StreamWriter.Writing;

namespace GamePipeline.Tests.StreamWriter;

public sealed class TextStoreTests
{
    [Fact]
    public void Every_stored_value_reads_back_exactly_across_chunks_and_past_the_largest_chunk()
    {
        using var store = new TextStore();
        var expected = new List<(TextRef Ref, byte[] Bytes)>();
        // From empty to three times the largest chunk (64 KiB), mixed so values start in every chunk size.
        foreach (var length in new[] { 0, 1, 700, 1_024, 3_000, 65_536, 9, 200_000, 40_000, 65_535, 5, 100_000 })
        {
            var bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 31 + length)).ToArray();
            expected.Add((store.Store(bytes), bytes));
        }

        var text = "Gamé 🐉 \"quoted\" " + new string('x', 70_000);
        var stored = store.Store(text);

        Assert.All(expected, e => Assert.Equal(e.Bytes, store[e.Ref].ToArray()));
        Assert.Equal(text, Encoding.UTF8.GetString(store[stored]));
        Assert.True(TextRef.Null.IsNull);
    }

    [Fact]
    public void A_chunked_buffer_copies_out_and_fills_every_value_in_order()
    {
        using var buffer = new ChunkedBuffer<long>();
        for (var i = 0L; i < 100_000; i++)
        {
            buffer.Add(i);
        }

        var copy = new long[buffer.Count];
        buffer.CopyTo(copy);
        Assert.Equal(Enumerable.Range(0, 100_000).Select(i => (long)i), copy);

        buffer.Fill(7);
        buffer.CopyTo(copy);
        Assert.All(copy, value => Assert.Equal(7, value));
    }
}
