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
        LakeColumnType.String => new ReferenceColumn<string>(new DataField<string>(column.Name, column.Nullable)),
        LakeColumnType.Binary => new ReferenceColumn<byte[]>(new DataField<byte[]>(column.Name, column.Nullable)),
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

internal sealed class ReferenceColumn<T>(DataField field) : ParquetColumn(field) where T : class
{
    public List<T?> Values { get; } = [];

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup) => Values switch
    {
        List<string?> strings => rowGroup.WriteAsync(Field, strings!),
        List<byte[]?> bytes => rowGroup.WriteAsync(Field, bytes!),
        _ => throw new NotSupportedException(typeof(T).Name),
    };
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

    public ReferenceColumn<string> String(int ordinal) => (ReferenceColumn<string>)_columns[ordinal];

    public ReferenceColumn<byte[]> Binary(int ordinal) => (ReferenceColumn<byte[]>)_columns[ordinal];

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
