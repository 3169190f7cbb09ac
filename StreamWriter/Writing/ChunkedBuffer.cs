using System.Buffers;
using System.Runtime.CompilerServices;

namespace StreamWriter.Writing;

/// <summary>
/// An append-only buffer made of pooled chunks that double in size up to a limit. Growing never copies what is
/// already there, a small batch (a quiet partition) holds only a small chunk, and a committed batch's chunks go
/// back to the pool for the next batch — so a writer working through a backlog reuses memory it has already
/// touched instead of growing arrays into fresh, page-faulting memory.
/// </summary>
internal sealed class ChunkedBuffer<T> : IDisposable
{
    private static readonly int FirstChunkLength = Math.Max(16, 1024 / Unsafe.SizeOf<T>());
    private static readonly int MaxChunkLength = 64 * 1024 / Unsafe.SizeOf<T>();

    private readonly List<(T[] Array, int Used)> _sealed = [];
    private T[] _current = [];
    private int _used;

    /// <summary>Elements appended (a slice reserved by <see cref="Append"/> counts its length).</summary>
    public int Count { get; private set; }

    public void Add(T value)
    {
        if (_used == _current.Length)
        {
            NextChunk(1);
        }

        _current[_used++] = value;
        Count++;
    }

    /// <summary>Reserves <paramref name="length"/> contiguous elements; they stay at (<paramref name="chunk"/>, <paramref name="start"/>).</summary>
    public Span<T> Append(int length, out int chunk, out int start)
    {
        if (_current.Length - _used < length)
        {
            NextChunk(length);
        }

        chunk = _sealed.Count;
        start = _used;
        _used += length;
        Count += length;
        return _current.AsSpan(start, length);
    }

    /// <summary>Gives back unused elements at the end of the last <see cref="Append"/> (it reserved a maximum).</summary>
    public void Trim(int unused)
    {
        _used -= unused;
        Count -= unused;
    }

    public ReadOnlySpan<T> Slice(int chunk, int start, int length) => Chunk(chunk).AsSpan(start, length);

    public ReadOnlyMemory<T> Memory(int chunk, int start, int length) => Chunk(chunk).AsMemory(start, length);

    public void CopyTo(Span<T> destination)
    {
        var at = 0;
        foreach (var (array, used) in _sealed)
        {
            array.AsSpan(0, used).CopyTo(destination[at..]);
            at += used;
        }

        _current.AsSpan(0, _used).CopyTo(destination[at..]);
    }

    /// <summary>The elements chunk by chunk, in order.</summary>
    public IEnumerable<ReadOnlyMemory<T>> Chunks
    {
        get
        {
            foreach (var (array, used) in _sealed)
            {
                yield return array.AsMemory(0, used);
            }

            yield return _current.AsMemory(0, _used);
        }
    }

    /// <summary>Lends the elements as one contiguous pooled array (Parquet.Net writes a column from one memory).</summary>
    public async Task WithContiguousAsync(Func<ReadOnlyMemory<T>, Task> use)
    {
        var contiguous = ColumnBuffers<T>.Pool.Rent(Count);
        try
        {
            CopyTo(contiguous);
            await use(contiguous.AsMemory(0, Count));
        }
        finally
        {
            ColumnBuffers<T>.Pool.Return(contiguous);
        }
    }

    public void Fill(T value)
    {
        foreach (var (array, used) in _sealed)
        {
            array.AsSpan(0, used).Fill(value);
        }

        _current.AsSpan(0, _used).Fill(value);
    }

    public void Dispose()
    {
        foreach (var (array, _) in _sealed)
        {
            ColumnBuffers<T>.Pool.Return(array);
        }

        if (_current.Length > 0)
        {
            ColumnBuffers<T>.Pool.Return(_current);
        }

        _sealed.Clear();
        _current = [];
        _used = Count = 0;
    }

    private T[] Chunk(int chunk) => chunk == _sealed.Count ? _current : _sealed[chunk].Array;

    private void NextChunk(int atLeast)
    {
        if (_current.Length > 0)
        {
            _sealed.Add((_current, _used));
        }

        var length = _current.Length == 0 ? FirstChunkLength : Math.Min(_current.Length * 2, MaxChunkLength);
        _current = ColumnBuffers<T>.Pool.Rent(Math.Max(length, atLeast));
        _used = 0;
    }
}

/// <summary>
/// The column buffers' own pool. The shared pool keeps only a few arrays of each size per core; a writer that owns
/// a hundred partitions holds thousands of chunks at once, and every one the shared pool dropped was a fresh
/// allocation (zeroed, page-faulted memory) on the next batch.
/// </summary>
internal static class ColumnBuffers<T>
{
    public static readonly ArrayPool<T> Pool = ArrayPool<T>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 4096);
}
