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
/// Text kept as UTF-8 in pooled chunks until the file is written. Copying each value out of the Kafka payload lets
/// the payload die young: a batch that holds a million records is then a few hundred pooled chunks for the GC, not
/// millions of objects it would trace and copy through its generations.
/// </summary>
internal sealed class StringColumn(DataField field) : ParquetColumn(field), IDisposable
{
    private const int NullLength = -1;
    private readonly ChunkedBuffer<byte> _utf8 = new();
    private readonly ChunkedBuffer<TextRef> _values = new();

    public void Add(string? text)
    {
        if (text is null)
        {
            _values.Add(new TextRef(0, 0, NullLength));
            return;
        }

        var maxLength = Encoding.UTF8.GetMaxByteCount(text.Length);
        var length = Encoding.UTF8.GetBytes(text, _utf8.Append(maxLength, out var chunk, out var start));
        _utf8.Trim(maxLength - length);
        _values.Add(new TextRef(chunk, start, length));
    }

    public void AddUtf8(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(_utf8.Append(utf8.Length, out var chunk, out var start));
        _values.Add(new TextRef(chunk, start, utf8.Length));
    }

    /// <summary>Lower-case hex of an id (a trace id), written straight into the buffer.</summary>
    public void AddHex(ReadOnlySpan<byte> id)
    {
        Convert.TryToHexStringLower(id, _utf8.Append(id.Length * 2, out var chunk, out var start), out var length);
        _values.Add(new TextRef(chunk, start, length));
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        // UTF-8 never takes fewer bytes than UTF-16 takes chars (an invalid byte becomes one U+FFFD), so one char
        // buffer the size of the byte buffer holds every value.
        var chars = ColumnBuffers<char>.Pool.Rent(Math.Max(_utf8.Count, 1));
        try
        {
            if (Field.IsNullable)
            {
                await WriteAsync<ReadOnlyMemory<char>?>(rowGroup, chars, static (decoded, isNull) => isNull ? null : decoded);
            }
            else
            {
                await WriteAsync<ReadOnlyMemory<char>>(rowGroup, chars, static (decoded, _) => decoded);
            }
        }
        finally
        {
            ColumnBuffers<char>.Pool.Return(chars);
        }
    }

    public void Dispose()
    {
        _utf8.Dispose();
        _values.Dispose();
    }

    // Parquet.Net picks its nullable or non-nullable overload by the static type, hence one generic body for both.
    private async Task WriteAsync<TValue>(ParquetRowGroupWriter rowGroup, char[] chars, Func<ReadOnlyMemory<char>, bool, TValue> value)
    {
        var count = _values.Count;
        var values = ColumnBuffers<TValue>.Pool.Rent(count);
        try
        {
            var refs = ColumnBuffers<TextRef>.Pool.Rent(count);
            try
            {
                _values.CopyTo(refs);
                var next = 0;
                for (var i = 0; i < count; i++)
                {
                    var (chunk, start, length) = refs[i];
                    if (length == NullLength)
                    {
                        values[i] = value(default, true);
                        continue;
                    }

                    var decoded = Encoding.UTF8.GetChars(_utf8.Slice(chunk, start, length), chars.AsSpan(next));
                    values[i] = value(chars.AsMemory(next, decoded), false);
                    next += decoded;
                }
            }
            finally
            {
                ColumnBuffers<TextRef>.Pool.Return(refs);
            }

            await (values switch
            {
                ReadOnlyMemory<char>?[] nullable => rowGroup.WriteAsync<ReadOnlyMemory<char>>(Field, nullable.AsMemory(0, count)),
                ReadOnlyMemory<char>[] required => rowGroup.WriteAsync<ReadOnlyMemory<char>>(Field, required.AsMemory(0, count)),
                _ => throw new InvalidOperationException($"No Parquet overload for {typeof(TValue)}"),
            });
        }
        finally
        {
            ColumnBuffers<TValue>.Pool.Return(values, clearArray: true);
        }
    }

    /// <summary>Where a value's UTF-8 sits in the chunks; <see cref="NullLength"/> for null.</summary>
    private readonly record struct TextRef(int Chunk, int Start, int Length);
}

internal sealed class BinaryColumn(DataField field) : ParquetColumn(field)
{
    public List<byte[]> Values { get; } = [];

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) => rowGroup.WriteAsync(Field, Values);
}

internal sealed class ValueColumn<T>(DataField field) : ParquetColumn(field), IDisposable where T : struct
{
    public ChunkedBuffer<T> Values { get; } = new();

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        var values = ColumnBuffers<T>.Pool.Rent(Values.Count);
        try
        {
            Values.CopyTo(values);
            await rowGroup.WriteAsync<T>(Field, values.AsMemory(0, Values.Count));
        }
        finally
        {
            ColumnBuffers<T>.Pool.Return(values);
        }
    }

    public void Dispose() => Values.Dispose();
}

internal sealed class NullableValueColumn<T>(DataField field) : ParquetColumn(field), IDisposable where T : struct
{
    public ChunkedBuffer<T?> Values { get; } = new();

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        var values = ColumnBuffers<T?>.Pool.Rent(Values.Count);
        try
        {
            Values.CopyTo(values);
            await rowGroup.WriteAsync<T>(Field, values.AsMemory(0, Values.Count));
        }
        finally
        {
            ColumnBuffers<T?>.Pool.Return(values);
        }
    }

    public void Dispose() => Values.Dispose();
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

    /// <summary>Gives the column buffers back to the pool; the batch is done with.</summary>
    public void Dispose()
    {
        foreach (var column in _columns.OfType<IDisposable>())
        {
            column.Dispose();
        }
    }
}
