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

    public static ParquetColumn Create(LakeColumn column, TextStore text) => column.Type switch
    {
        LakeColumnType.String => new StringColumn(new DataField<string>(column.Name, column.Nullable), text),
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
/// The UTF-8 of every text value of one batch, in pooled chunks. A record's payload is stored once and its fields
/// are referred to where they sit in it, so a record costs its own size and a few references — not a copy per
/// column. Copying out of the Kafka payload at all lets the payload die young: a batch of a million records is a
/// few hundred pooled chunks for the GC, not millions of objects it would trace through its generations.
/// </summary>
internal sealed class TextStore : IDisposable
{
    private readonly ChunkedBuffer<byte> _utf8 = new();

    public TextRef Store(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(_utf8.Append(utf8.Length, out var chunk, out var start));
        return new TextRef(chunk, start, utf8.Length);
    }

    public TextRef Store(string text)
    {
        var maxLength = Encoding.UTF8.GetMaxByteCount(text.Length);
        var length = Encoding.UTF8.GetBytes(text, _utf8.Append(maxLength, out var chunk, out var start));
        _utf8.Trim(maxLength - length);
        return new TextRef(chunk, start, length);
    }

    /// <summary>Lower-case hex of an id (a trace id), written straight into the store.</summary>
    public TextRef StoreHex(ReadOnlySpan<byte> id)
    {
        Convert.TryToHexStringLower(id, _utf8.Append(id.Length * 2, out var chunk, out var start), out var length);
        return new TextRef(chunk, start, length);
    }

    public ReadOnlySpan<byte> this[TextRef text] => _utf8.Slice(text.Chunk, text.Start, text.Length);

    public void Dispose() => _utf8.Dispose();
}

/// <summary>Where a text value's UTF-8 sits in its batch's <see cref="TextStore"/>; a negative length is null.</summary>
internal readonly record struct TextRef(int Chunk, int Start, int Length)
{
    public static readonly TextRef Null = new(0, 0, -1);

    public bool IsNull => Length < 0;

    /// <summary>Part of this value (a field inside a stored payload).</summary>
    public TextRef Slice(int start, int length) => new(Chunk, Start + start, length);
}

/// <summary>A text column: references into the batch's <see cref="TextStore"/>, one per row.</summary>
internal sealed class StringColumn(DataField field, TextStore text) : ParquetColumn(field), IDisposable
{
    private readonly ChunkedBuffer<TextRef> _values = new();
    private long _bytes;
    private string? _lastText;
    private TextRef _lastRef;

    public void Add(TextRef value)
    {
        _values.Add(value);
        _bytes += Math.Max(value.Length, 0);
    }

    public void Add(string? value)
    {
        if (value is null)
        {
            Add(TextRef.Null);
            return;
        }

        // The same string again (a table's event type, a bad event's reason) is stored once per batch.
        if (!ReferenceEquals(value, _lastText))
        {
            _lastRef = text.Store(value);
            _lastText = value;
        }

        Add(_lastRef);
    }

    public override async Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        // UTF-8 never takes fewer bytes than UTF-16 takes chars (an invalid byte becomes one U+FFFD), so one char
        // buffer the size of the column's bytes holds every value.
        var chars = ColumnBuffers<char>.Pool.Rent((int)Math.Max(_bytes, 1));
        try
        {
            await (Field.IsNullable
                ? WriteAsync<ReadOnlyMemory<char>?, NullableText>(rowGroup, chars)
                : WriteAsync<ReadOnlyMemory<char>, RequiredText>(rowGroup, chars));
        }
        finally
        {
            ColumnBuffers<char>.Pool.Return(chars);
        }
    }

    public void Dispose()
    {
        _values.Dispose();
        _bytes = 0;
        _lastText = null;
    }

    // Parquet.Net picks its nullable or non-nullable overload by the static type: each kind calls its own.
    private async Task WriteAsync<TValue, TKind>(ParquetRowGroupWriter rowGroup, char[] chars) where TKind : ITextKind<TValue>
    {
        var count = _values.Count;
        var values = ColumnBuffers<TValue>.Pool.Rent(count);
        try
        {
            Decode<TValue, TKind>(chars, values);
            await TKind.WriteAsync(rowGroup, Field, values.AsMemory(0, count));
        }
        finally
        {
            ColumnBuffers<TValue>.Pool.Return(values, clearArray: true);
        }
    }

    private void Decode<TValue, TKind>(char[] chars, TValue[] values) where TKind : ITextKind<TValue>
    {
        var (i, next) = (0, 0);
        foreach (var chunk in _values.Chunks)
        {
            foreach (var textRef in chunk.Span)
            {
                if (textRef.IsNull)
                {
                    values[i++] = TKind.Null;
                    continue;
                }

                var decoded = Encoding.UTF8.GetChars(text[textRef], chars.AsSpan(next));
                values[i++] = TKind.Of(chars.AsMemory(next, decoded));
                next += decoded;
            }
        }
    }

    /// <summary>How decoded values are handed to Parquet.Net; resolved at compile time, so no call per value.</summary>
    private interface ITextKind<TValue>
    {
        static abstract TValue Null { get; }

        static abstract TValue Of(ReadOnlyMemory<char> text);

        static abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, ReadOnlyMemory<TValue> values);
    }

    private readonly struct RequiredText : ITextKind<ReadOnlyMemory<char>>
    {
        public static ReadOnlyMemory<char> Null => throw new InvalidOperationException("A required text column has no nulls.");

        public static ReadOnlyMemory<char> Of(ReadOnlyMemory<char> text) => text;

        public static Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, ReadOnlyMemory<ReadOnlyMemory<char>> values) =>
            rowGroup.WriteAsync(field, values);
    }

    private readonly struct NullableText : ITextKind<ReadOnlyMemory<char>?>
    {
        public static ReadOnlyMemory<char>? Null => null;

        public static ReadOnlyMemory<char>? Of(ReadOnlyMemory<char> text) => text;

        public static Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, ReadOnlyMemory<ReadOnlyMemory<char>?> values) =>
            rowGroup.WriteAsync(field, values);
    }
}

internal sealed class BinaryColumn(DataField field) : ParquetColumn(field)
{
    public List<byte[]> Values { get; } = [];

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) => rowGroup.WriteAsync(Field, Values);
}

internal sealed class ValueColumn<T>(DataField field) : ParquetColumn(field), IDisposable where T : struct
{
    public ChunkedBuffer<T> Values { get; } = new();

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) =>
        Values.WithContiguousAsync(values => rowGroup.WriteAsync<T>(Field, values));

    public void Dispose() => Values.Dispose();
}

internal sealed class NullableValueColumn<T>(DataField field) : ParquetColumn(field), IDisposable where T : struct
{
    public ChunkedBuffer<T?> Values { get; } = new();

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) =>
        Values.WithContiguousAsync(values => rowGroup.WriteAsync<T>(Field, values));

    public void Dispose() => Values.Dispose();
}

/// <summary>Rows of one table and one date partition, kept column by column until they are written.</summary>
internal sealed class TableBatch : IDisposable
{
    private readonly ParquetColumn[] _columns;

    public TableBatch(LakeTable table, DateOnly date, TextStore text)
    {
        Table = table;
        Date = date;
        Text = text;
        _columns = [.. table.Columns.Select(column => ParquetColumn.Create(column, text))];
    }

    /// <summary>The UTF-8 of every text column of the batch (its partition batch's store, which owns it).</summary>
    public TextStore Text { get; }

    public LakeTable Table { get; }

    public DateOnly Date { get; }

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
