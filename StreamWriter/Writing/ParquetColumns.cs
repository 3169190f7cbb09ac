using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using GamePipeline.Contracts;
using GamePipeline.Lake.Delta;
using Parquet;
using Parquet.Schema;

namespace StreamWriter.Writing;

/// <summary>One column of a batch being built, written to Parquet as one column chunk.</summary>
internal abstract class ParquetColumn(DataField field)
{
    public DataField Field { get; } = field;

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup);

    /// <summary>Adds what the column records of itself in the file's statistics (nothing, by default).</summary>
    public virtual void AddStats(DeltaFileStats stats)
    {
    }

    /// <summary>A column for <paramref name="column"/>; a text column keeps its characters in <paramref name="text"/>.</summary>
    public static ParquetColumn Create(LakeColumn column, ChunkedBuffer<char> text) => column.Type switch
    {
        LakeColumnType.String => new StringColumn(new DataField<string>(column.Name, column.Nullable), text, column.Stats),
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
/// The payloads and keys of one batch's held records, as UTF-8 in pooled chunks, until the batch is committed (its
/// columns are built from them then). Copying out of the Kafka payload at all lets the payload die young: a batch of
/// a million records is a few hundred pooled chunks for the GC, not millions of objects it would trace through its
/// generations.
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

    public ReadOnlySpan<byte> this[TextRef text] => _utf8.Slice(text.Chunk, text.Start, text.Length);

    public void Dispose() => _utf8.Dispose();
}

/// <summary>
/// Where a text value sits in a <see cref="ChunkedBuffer{T}"/>: its UTF-8 in a batch's <see cref="TextStore"/>, or its
/// characters in a <see cref="TableBatch"/>'s text. A negative length is null.
/// </summary>
internal readonly record struct TextRef(int Chunk, int Start, int Length)
{
    public static readonly TextRef Null = new(0, 0, -1);

    public bool IsNull => Length < 0;
}

/// <summary>
/// A text column: each value decoded to UTF-16 (what Parquet.Net encodes from) as it is added, into its table batch's
/// pooled chunks of text, which all its text columns share — so a value that is a part of another (an envelope
/// field of the raw event) can be added as a reference to the other's characters, not decoded again. Decoded while
/// its record's payload is still in the cache from being parsed: decoding column by column at write time would take
/// a cache miss per value, every value a slice of a different payload in the batch's megabytes of them.
/// </summary>
internal sealed class StringColumn(DataField field, ChunkedBuffer<char> chars, bool recordsStats = false) : ParquetColumn(field), IDisposable
{
    private readonly ChunkedBuffer<TextRef> _values = new();
    private string? _lastText;
    private TextRef _lastRef;

    public void AddNull() => _values.Add(TextRef.Null);

    /// <summary>Adds UTF-8 text; an invalid sequence is kept as U+FFFD.</summary>
    public void Add(ReadOnlySpan<byte> utf8) => Add(utf8, out _);

    /// <summary>
    /// Adds UTF-8 text (an invalid sequence is kept as U+FFFD) and returns where its characters are;
    /// <paramref name="ascii"/> tells whether every byte became one character, so that a part of the text can be
    /// added by its byte offsets (<see cref="AddPart"/>).
    /// </summary>
    public TextRef Add(ReadOnlySpan<byte> utf8, out bool ascii)
    {
        // UTF-8 never takes fewer bytes than UTF-16 takes chars (an invalid byte becomes one U+FFFD).
        var destination = chars.Append(utf8.Length, out var chunk, out var start);
        var status = Utf8.ToUtf16(utf8, destination, out _, out var length, replaceInvalidSequences: false);
        ascii = status == OperationStatus.Done && length == utf8.Length;
        if (status != OperationStatus.Done)
        {
            length = Encoding.UTF8.GetChars(utf8, destination);
        }

        chars.Trim(utf8.Length - length);
        var text = new TextRef(chunk, start, length);
        _values.Add(text);
        return text;
    }

    /// <summary>Adds the characters <paramref name="start"/>..+<paramref name="length"/> of text added before (to any column of the batch).</summary>
    public void AddPart(TextRef whole, int start, int length) => _values.Add(new TextRef(whole.Chunk, whole.Start + start, length));

    public void Add(string? value)
    {
        if (value is null)
        {
            AddNull();
            return;
        }

        // The same string again (a table's event type, a bad event's reason) is stored once per batch.
        if (!ReferenceEquals(value, _lastText))
        {
            value.CopyTo(chars.Append(value.Length, out var chunk, out var start));
            _lastRef = new TextRef(chunk, start, value.Length);
            _lastText = value;
        }

        _values.Add(_lastRef);
    }

    /// <summary>Adds an id (a trace id) as lower-case hex.</summary>
    public void AddHex(ReadOnlySpan<byte> id)
    {
        Convert.TryToHexStringLower(id, chars.Append(id.Length * 2, out var chunk, out var start), out var length);
        _values.Add(new TextRef(chunk, start, length));
    }

    public override void AddStats(DeltaFileStats stats)
    {
        if (!recordsStats)
        {
            return;
        }

        ReadOnlySpan<char> min = default, max = default;
        var values = 0L;
        var nulls = 0L;
        foreach (var chunk in _values.Chunks)
        {
            foreach (var text in chunk.Span)
            {
                if (text.IsNull)
                {
                    nulls++;
                    continue;
                }

                var value = chars.Slice(text.Chunk, text.Start, text.Length);
                if (values++ == 0 || DeltaFileStats.CompareText(value, min) < 0)
                {
                    min = value;
                }

                if (values == 1 || DeltaFileStats.CompareText(value, max) > 0)
                {
                    max = value;
                }
            }
        }

        stats.Add(Field.Name, values == 0 ? null : DeltaFileStats.Min(min), values == 0 ? null : DeltaFileStats.Max(max), nulls);
    }

    // Parquet.Net picks its nullable or non-nullable overload by the static type: each kind calls its own.
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) => Field.IsNullable
        ? WriteAsync<ReadOnlyMemory<char>?, NullableText>(rowGroup)
        : WriteAsync<ReadOnlyMemory<char>, RequiredText>(rowGroup);

    /// <summary>Gives the value buffers back to the pool (the text is the table batch's).</summary>
    public void Dispose()
    {
        _values.Dispose();
        _lastText = null;
    }

    private async Task WriteAsync<TValue, TKind>(ParquetRowGroupWriter rowGroup) where TKind : ITextKind<TValue>
    {
        var count = _values.Count;
        var values = ColumnBuffers<TValue>.Pool.Rent(count);
        try
        {
            Fill<TValue, TKind>(values);
            await TKind.WriteAsync(rowGroup, Field, values.AsMemory(0, count));
        }
        finally
        {
            ColumnBuffers<TValue>.Pool.Return(values, clearArray: true);
        }
    }

    private void Fill<TValue, TKind>(TValue[] values) where TKind : ITextKind<TValue>
    {
        var i = 0;
        foreach (var chunk in _values.Chunks)
        {
            foreach (var text in chunk.Span)
            {
                values[i++] = text.IsNull ? TKind.Null : TKind.Of(chars.Memory(text.Chunk, text.Start, text.Length));
            }
        }
    }

    /// <summary>How values are handed to Parquet.Net; resolved at compile time, so no call per value.</summary>
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

    public override void AddStats(DeltaFileStats stats)
    {
        var range = new ValueRange<T>();
        foreach (var chunk in Values.Chunks)
        {
            foreach (var value in chunk.Span)
            {
                range.Add(value);
            }
        }

        range.AddTo(stats, Field.Name, nulls: 0);
    }

    public void Dispose() => Values.Dispose();
}

internal sealed class NullableValueColumn<T>(DataField field) : ParquetColumn(field), IDisposable where T : struct
{
    public ChunkedBuffer<T?> Values { get; } = new();

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) =>
        Values.WithContiguousAsync(values => rowGroup.WriteAsync<T>(Field, values));

    public override void AddStats(DeltaFileStats stats)
    {
        var range = new ValueRange<T>();
        var nulls = 0L;
        foreach (var chunk in Values.Chunks)
        {
            foreach (var value in chunk.Span)
            {
                if (value is { } present)
                {
                    range.Add(present);
                }
                else
                {
                    nulls++;
                }
            }
        }

        range.AddTo(stats, Field.Name, nulls);
    }

    public void Dispose() => Values.Dispose();
}

/// <summary>Rows of one table and one date partition, kept column by column until they are written.</summary>
internal sealed class TableBatch : IDisposable
{
    private readonly ParquetColumn[] _columns;

    // The characters of every text column, in one buffer: a value may refer to another column's (ParquetColumn.Create).
    private readonly ChunkedBuffer<char> _text = new();

    public TableBatch(LakeTable table, DateOnly date)
    {
        Table = table;
        Date = date;
        _columns = [.. table.Columns.Select(column => ParquetColumn.Create(column, _text))];
    }

    public LakeTable Table { get; }

    public DateOnly Date { get; }

    public int Rows { get; private set; }

    public StringColumn String(int ordinal) => (StringColumn)_columns[ordinal];

    public BinaryColumn Binary(int ordinal) => (BinaryColumn)_columns[ordinal];

    public ValueColumn<T> Value<T>(int ordinal) where T : struct => (ValueColumn<T>)_columns[ordinal];

    public NullableValueColumn<T> NullableValue<T>(int ordinal) where T : struct => (NullableValueColumn<T>)_columns[ordinal];

    public void RowAdded() => Rows++;

    /// <summary>The file's statistics for its <c>add</c> in the table's log, as JSON.</summary>
    public string Stats()
    {
        var stats = new DeltaFileStats(Rows);
        foreach (var column in _columns)
        {
            column.AddStats(stats);
        }

        return stats.ToJson();
    }

    public async Task WriteAsync(Stream stream, CancellationToken cancellationToken)
    {
        var schema = new ParquetSchema(_columns.Select(c => (Field)c.Field));
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, OptionsByTable[Table], cancellationToken: cancellationToken);
        using var rowGroup = writer.CreateRowGroup();
        foreach (var column in _columns)
        {
            await column.WriteAsync(rowGroup);
        }
    }

    // Built once per table (Parquet.Net only reads them), not for every file written.
    private static readonly IReadOnlyDictionary<LakeTable, ParquetOptions> OptionsByTable = LakeTables.Streamed.ToDictionary(table => table, Options);

    /// <summary>
    /// Snappy; a column of few distinct values is dictionary-encoded (each distinct value stored once per file, rows
    /// as small indexes), unless its first values turn out mostly distinct — then it is written plain, as the rest.
    /// </summary>
    private static ParquetOptions Options(LakeTable table)
    {
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy, DictionaryEncodingSampleSize = DictionarySample };
        foreach (var column in table.Columns.Where(column => column.FewDistinctValues))
        {
            options.ColumnEncodingHints[column.Name] = EncodingHint.Dictionary;
        }

        return options;
    }

    // Values looked at before a column is dictionary-encoded (Parquet.Net otherwise hashes most of a column of
    // distinct values before it gives up).
    private const int DictionarySample = 1_000;

    /// <summary>Gives the column buffers back to the pool; the batch is done with.</summary>
    public void Dispose()
    {
        foreach (var column in _columns.OfType<IDisposable>())
        {
            column.Dispose();
        }

        _text.Dispose();
    }
}

/// <summary>The smallest and largest of a column's values.</summary>
internal struct ValueRange<T> where T : struct
{
    private bool _any;
    private T _min;
    private T _max;

    public void Add(T value)
    {
        if (!_any || Comparer<T>.Default.Compare(value, _min) < 0)
        {
            _min = value;
        }

        if (!_any || Comparer<T>.Default.Compare(value, _max) > 0)
        {
            _max = value;
        }

        _any = true;
    }

    public readonly void AddTo(DeltaFileStats stats, string column, long nulls) =>
        stats.Add(column, _any ? DeltaFileStats.Value(_min) : null, _any ? DeltaFileStats.Value(_max) : null, nulls);
}
