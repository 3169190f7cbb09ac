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
/// Text kept as UTF-8 slices of the Kafka payload until the file is written (or as a string when it had to be
/// unescaped): the batch holds one byte[] per record instead of a dozen strings, which the GC would otherwise
/// copy through its generations while the batch grows.
/// </summary>
internal sealed class StringColumn(DataField field) : ParquetColumn(field)
{
    private readonly List<(byte[]? Utf8, int Start, int Length, string? Text)> _values = [];

    public void Add(string? text) => _values.Add((null, 0, 0, text));

    public void Add(byte[] utf8, int start, int length) => _values.Add((utf8, start, length, null));

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup)
    {
        var strings = new string[_values.Count];
        for (var i = 0; i < strings.Length; i++)
        {
            var (utf8, start, length, text) = _values[i];
            strings[i] = utf8 is null ? text! : Encoding.UTF8.GetString(utf8, start, length);
        }

        return rowGroup.WriteAsync(Field, strings);
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
internal sealed class TableBatch(LakeTable table, DateOnly date)
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
}
