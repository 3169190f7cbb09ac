using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using Parquet;
using Parquet.Schema;

namespace StreamWriter.Writing;

/// <summary>
/// The writer reading back a few columns of its lake's own tables (the keys of a recovery, the suppression list):
/// one data file at a time, row group by row group, whether a column is declared required (this writer's files) or
/// optional (DuckDB's rewrites). A null in one of these columns is a corrupt file.
/// </summary>
internal sealed class StoredRows(ParquetRowGroupReader rowGroup, IReadOnlyDictionary<string, DataField> fields, string table)
{
    public int Count { get; } = checked((int)rowGroup.RowCount);

    /// <summary>Calls <paramref name="read"/> for each row group of the table's data file.</summary>
    public static async Task ForEachAsync(ILakeStorage storage, string table, DeltaFile file, Func<StoredRows, Task> read, CancellationToken cancellationToken)
    {
        var path = $"{table}/{file.StoragePath}";
        var bytes = await storage.ReadAsync(path, cancellationToken) ?? throw new IOException($"{path} is in the table's snapshot but not in the lake");
        using var stream = new MemoryStream(bytes, writable: false);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        var fields = reader.Schema.DataFields.ToDictionary(f => f.Name);
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            await read(new StoredRows(rowGroup, fields, table));
        }
    }

    public async Task<string[]> StringsAsync(string column, CancellationToken cancellationToken)
    {
        var values = new string?[Count];
        await rowGroup.ReadAsync(fields[column], values.AsMemory(), null, cancellationToken);
        return [.. values.Select(value => value ?? throw Null(column))];
    }

    public async Task<T[]> ValuesAsync<T>(string column, CancellationToken cancellationToken) where T : struct
    {
        var field = fields[column];
        if (!field.IsNullable)
        {
            var values = new T[Count];
            await rowGroup.ReadAsync<T>(field, values.AsMemory(), null, cancellationToken);
            return values;
        }

        var nullable = new T?[Count];
        await rowGroup.ReadAsync<T>(field, nullable.AsMemory(), null, cancellationToken);
        return [.. nullable.Select(value => value ?? throw Null(column))];
    }

    private InvalidDataException Null(string column) => new($"{column} is null in a row of {table}");
}
