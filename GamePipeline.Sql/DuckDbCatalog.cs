using System.Globalization;
using DuckDB.NET.Data;
using GamePipeline.Contracts;
using GamePipeline.Lake;

namespace GamePipeline.Sql;

/// <summary>
/// The embedded catalog: a DuckDB database file with one view per lake table over its Parquet files (Hive
/// partitioning, so <c>dt</c> is a column). Views read the directory at query time: new files are visible as
/// soon as the writer commits them, with no repair step. Each table also gets an empty, typed Parquet file in
/// <c>dt=1970-01-01/_schema.parquet</c> so that its view works before the first event (Hive, Trino and Spark
/// skip files whose names start with '_').
/// </summary>
public sealed class DuckDbCatalog(string catalogPath, string lakePath) : ICatalog
{
    public string Description => $"DuckDB catalog {catalogPath} over {lakePath}";

    public async Task RegisterAsync(LakeTable table, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(catalogPath))!);
        var schemaFile = LakeLayout.SchemaFile(lakePath, table.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(schemaFile)!);

        await using var connection = new DuckDBConnection($"Data Source={catalogPath}");
        await connection.OpenAsync(cancellationToken);
        var typedEmptyRow = string.Join(", ", table.Columns.Select(c => $"CAST(NULL AS {DuckDbType(c.Type)}) AS {SqlIdentifiers.Quote(c.Name)}"));
        await ExecuteAsync(connection, $"COPY (SELECT {typedEmptyRow} LIMIT 0) TO {SqlText.Quote(schemaFile)} (FORMAT parquet)", cancellationToken);

        await ExecuteAsync(connection,
            $"CREATE OR REPLACE VIEW {SqlIdentifiers.Quote(table.Name)} AS SELECT * FROM {TableSource(lakePath, table.Name)}",
            cancellationToken);
        await ExecuteAsync(connection, $"COMMENT ON VIEW {SqlIdentifiers.Quote(table.Name)} IS {SqlText.Quote(table.Description)}", cancellationToken);
    }

    /// <summary>
    /// DuckDB's reader for one lake table: every file of every date partition, <c>dt</c> as a column. The catalog's
    /// views are this; tests and benchmarks that read the files directly use the same expression.
    /// </summary>
    public static string TableSource(string lakePath, string table) =>
        $"read_parquet({SqlText.Quote(LakeLayout.DataFiles(lakePath, table))}, hive_partitioning = true, union_by_name = true)";

    public static string DuckDbType(LakeColumnType type) => type switch
    {
        LakeColumnType.String => "VARCHAR",
        LakeColumnType.Timestamp => "TIMESTAMPTZ",
        LakeColumnType.Int32 => "INTEGER",
        LakeColumnType.Int64 => "BIGINT",
        LakeColumnType.Binary => "BLOB",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
