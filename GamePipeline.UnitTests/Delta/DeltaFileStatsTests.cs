using System.Text.Json.Nodes;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Tests.Delta;

public sealed class FileStatsTests
{
    [Fact]
    public void Statistics_hold_the_row_count_and_per_column_bounds_and_nulls()
    {
        var stats = new DeltaFileStats(3);
        stats.Add("event_time", DeltaFileStats.Value(new DateTime(2026, 12, 7, 10, 0, 0, 123, DateTimeKind.Utc)), DeltaFileStats.Value(new DateTime(2026, 12, 7, 11, 0, 0, DateTimeKind.Utc)), 0);
        stats.Add("kafka_offset", DeltaFileStats.Value(7L), DeltaFileStats.Value(9L), 0);
        stats.Add("client_time", null, null, 3);

        var json = JsonNode.Parse(stats.ToJson())!;

        Assert.Equal(3, json["numRecords"]!.GetValue<int>());
        Assert.Equal("2026-12-07T10:00:00.123Z", json["minValues"]!["event_time"]!.GetValue<string>());
        Assert.Equal("2026-12-07T11:00:00.000Z", json["maxValues"]!["event_time"]!.GetValue<string>());
        Assert.Equal(9, json["maxValues"]!["kafka_offset"]!.GetValue<long>());
        Assert.Null(json["minValues"]!["client_time"]);
        Assert.Equal(3, json["nullCount"]!["client_time"]!.GetValue<long>());
    }

    [Fact]
    public void A_long_minimum_is_cut_to_a_prefix_and_a_long_maximum_is_left_out_so_both_stay_bounds()
    {
        var text = new string('a', DeltaFileStats.MaxTextLength) + "zzz";

        Assert.Equal(new string('a', DeltaFileStats.MaxTextLength), DeltaFileStats.Min(text)!.GetValue<string>());
        Assert.Null(DeltaFileStats.Max(text));
        Assert.Equal("short", DeltaFileStats.Max("short")!.GetValue<string>());
    }

    [Fact]
    public void A_minimum_is_never_cut_inside_a_surrogate_pair()
    {
        var text = new string('a', DeltaFileStats.MaxTextLength - 1) + "\U0001F5E1" + "tail";

        var min = DeltaFileStats.Min(text)!.GetValue<string>();

        Assert.Equal(new string('a', DeltaFileStats.MaxTextLength - 1), min);
    }

    [Theory]
    [InlineData("a", "b", -1)]
    [InlineData("ab", "a", 1)]
    [InlineData("same", "same", 0)]
    [InlineData("\uFF21", "\U0001F5E1", -1)] // U+FF21 < U+1F5E1 by code point, though UTF-16 puts the surrogate first
    [InlineData("\U0001F5E1", "\uE000", 1)]
    [InlineData("\uD7FF", "\U00010000", -1)]
    public void Texts_are_ordered_by_code_point_as_their_utf8_bytes_are(string a, string b, int expected)
    {
        Assert.Equal(expected, Math.Sign(DeltaFileStats.CompareText(a, b)));
        Assert.Equal(expected, Math.Sign(CompareUtf8(a, b)));
    }

    private static int CompareUtf8(string a, string b) =>
        System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b));
}
