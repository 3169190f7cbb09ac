using System.Buffers;
using System.Text;
using GamePipeline.Contracts;
using Parquet;
using Parquet.Schema;

namespace StreamWriter.Writing;

/// <summary>One column of a batch being built, written to Parquet as one column chunk.</summary>
internal abstract class ParquetColumn(DataField field)
{
    public DataField Field { get; } = field;

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup);

    public static ParquetColumn Create(LakeColumn column) => column.Type switch
    {
        LakeColumnType.String => new StringColumn(new DataField<string>(column.Name, column.Nullable)),
        LakeColumnType.Binary => new BinaryColumn(new DataField<byte[]>(column.Name, column.Nullable)),
        LakeColumnType.Int32 => new ValueColumn<int>(new DataField<int>(column.Name, false)),
        LakeColumnType.Int64 => new ValueColumn<long>(new DataField<long>(column.Name, false)),
        LakeColumnType.Timestamp when column.Nullable => new NullableValueColumn<DateTime>(Timestamp(column)),
        LakeColumnType.Timestamp => new ValueColumn<DateTime>(Timestamp(column)),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, null),
    };

    // Milliseconds: Parquet.Net 6.1 writes a timestamp column's min/max statistics in milliseconds whatever the
    // unit, and readers prune row groups by them (a micros column then matched no time filter at all).
    private static DateTimeDataField Timestamp(LakeColumn column) =>
        new(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: column.Nullable);
}

/// <summary>
/// The column buffers' own pool. The shared pool keeps only a few arrays of each size per core; a writer that owns
/// a hundred partitions holds thousands of column buffers at once, and every one the shared pool dropped was a
/// fresh allocation (zeroed, page-faulted memory) on the next batch.
/// </summary>
internal static class ColumnBuffers<T>
{
    public static readonly ArrayPool<T> Pool = ArrayPool<T>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 4096);
}

/// <summary>
/// Text kept as UTF-8 in one pooled buffer per column until the file is written. Copying each value out of the
/// Kafka payload lets the payload die young: a batch that holds a million records is then a handful of large
/// arrays for the GC, not millions of objects it would trace and copy through its generations.
/// </summary>
internal sealed class StringColumn(DataField field) : ParquetColumn(field), IDisposable
{
    private const int NullLength = -1;
    private byte[] _utf8 = [];
    private int _used;
    private (int Start, int Length)[] _values = [];
    private int _count;

    public void Add(string? text)
    {
        if (text is null)
        {
            AddValue(0, NullLength);
            return;
        }

        EnsureBytes(Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = Encoding.UTF8.GetBytes(text, _utf8.AsSpan(_used));
        AddValue(_used, length);
        _used += length;
    }

    public void Add(byte[] utf8, int start, int length) => AddUtf8(utf8.AsSpan(start, length));

    public void AddUtf8(ReadOnlySpan<byte> utf8)
    {
        EnsureBytes(utf8.Length);
        utf8.CopyTo(_utf8.AsSpan(_used));
        AddValue(_used, utf8.Length);
        _used += utf8.Length;
    }

    /// <summary>Lower-case hex of an id (a trace id), written straight into the buffer.</summary>
    public void AddHex(ReadOnlySpan<byte> id)
    {
        EnsureBytes(id.Length * 2);
        Convert.TryToHexStringLower(id, _utf8.AsSpan(_used), out var length);
        AddValue(_used, length);
        _used += length;
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        // UTF-8 never takes fewer bytes than UTF-16 takes chars (an invalid byte becomes one U+FFFD), so one char
        // buffer the size of the byte buffer holds every value.
        var chars = ColumnBuffers<char>.Pool.Rent(Math.Max(_used, 1));
        try
        {
            if (Field.IsNullable)
            {
                var values = ColumnBuffers<ReadOnlyMemory<char>?>.Pool.Rent(_count);
                try
                {
                    var next = 0;
                    for (var i = 0; i < _count; i++)
                    {
                        values[i] = _values[i].Length == NullLength ? null : Decode(i, chars, ref next);
                    }

                    await rowGroup.WriteAsync<ReadOnlyMemory<char>>(Field, values.AsMemory(0, _count));
                }
                finally
                {
                    ColumnBuffers<ReadOnlyMemory<char>?>.Pool.Return(values, clearArray: true);
                }
            }
            else
            {
                var values = ColumnBuffers<ReadOnlyMemory<char>>.Pool.Rent(_count);
                try
                {
                    var next = 0;
                    for (var i = 0; i < _count; i++)
                    {
                        values[i] = Decode(i, chars, ref next);
                    }

                    await rowGroup.WriteAsync<ReadOnlyMemory<char>>(Field, values.AsMemory(0, _count));
                }
                finally
                {
                    ColumnBuffers<ReadOnlyMemory<char>>.Pool.Return(values, clearArray: true);
                }
            }
        }
        finally
        {
            ColumnBuffers<char>.Pool.Return(chars);
        }
    }

    public void Dispose()
    {
        Return(ref _utf8);
        Return(ref _values);
        _used = _count = 0;
    }

    private ReadOnlyMemory<char> Decode(int index, char[] chars, ref int next)
    {
        var (start, length) = _values[index];
        var decoded = Encoding.UTF8.GetChars(_utf8.AsSpan(start, length), chars.AsSpan(next));
        var value = chars.AsMemory(next, decoded);
        next += decoded;
        return value;
    }

    private void AddValue(int start, int length)
    {
        if (_count == _values.Length)
        {
            Grow(ref _values, _count, _count + 1);
        }

        _values[_count++] = (start, length);
    }

    private void EnsureBytes(int more)
    {
        if (_used + more > _utf8.Length)
        {
            Grow(ref _utf8, _used, _used + more);
        }
    }

    private static void Grow<T>(ref T[] array, int used, int needed)
    {
        var grown = ColumnBuffers<T>.Pool.Rent(Math.Max(needed, Math.Max(256, array.Length * 2)));
        array.AsSpan(0, used).CopyTo(grown);
        Return(ref array);
        array = grown;
    }

    private static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ColumnBuffers<T>.Pool.Return(array);
        }

        array = [];
    }
}

internal sealed class BinaryColumn(DataField field) : ParquetColumn(field)
{
    public List<byte[]> Values { get; } = [];

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) => rowGroup.WriteAsync(Field, Values);
}

internal sealed class ValueColumn<T>(DataField field) : ParquetColumn(field) where T : struct
{
    public List<T> Values { get; } = [];

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) => rowGroup.WriteAsync<T>(Field, Values.ToArray().AsMemory());
}

internal sealed class NullableValueColumn<T>(DataField field) : ParquetColumn(field) where T : struct
{
    public List<T?> Values { get; } = [];

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) => rowGroup.WriteAsync<T>(Field, Values.ToArray().AsMemory());
}

/// <summary>Rows of one table and one date partition, kept column by column until they are written.</summary>
internal sealed class TableBatch(LakeTable table, DateOnly date) : IDisposable
{
    private readonly ParquetColumn[] _columns = [.. table.Columns.Select(ParquetColumn.Create)];

    public LakeTable Table { get; } = table;

    public DateOnly Date { get; } = date;

    public int Rows { get; private set; }

    public StringColumn String(int ordinal) => (StringColumn)_columns[ordinal];

    public BinaryColumn Binary(int ordinal) => (BinaryColumn)_columns[ordinal];

    public ValueColumn<T> Value<T>(int ordinal) where T : struct => (ValueColumn<T>)_columns[ordinal];

    public NullableValueColumn<T> NullableValue<T>(int ordinal) where T : struct => (NullableValueColumn<T>)_columns[ordinal];

    public void RowAdded() => Rows++;

    public async Task WriteAsync(Stream stream, CancellationToken cancellationToken)
    {
        var schema = new ParquetSchema(_columns.Select(c => (Field)c.Field));
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, cancellationToken: cancellationToken);
        using var rowGroup = writer.CreateRowGroup();
        foreach (var column in _columns)
        {
            await column.WriteAsync(rowGroup);
        }
    }

    /// <summary>Gives the text buffers back to the pool; the batch is done with.</summary>
    public void Dispose()
    {
        foreach (var column in _columns.OfType<StringColumn>())
        {
            column.Dispose();
        }
    }
}
