using System.Globalization;
using System.Text;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Sql;

/// <summary>
/// DuckDB SQL that reads one Delta snapshot: exactly the data files it lists (never a folder), the columns of its
/// schema in their order, each partition column's value from the log's <c>partitionValues</c>, and null for a column
/// added after a file was written (<see cref="LakeDeltaTables.ColumnsAddedLater"/>).
/// </summary>
public static class DeltaSnapshotSql
{
    /// <summary>A <c>SELECT</c> of the snapshot's rows; <paramref name="tableRoot"/> is the table's local directory.</summary>
    public static string Select(string tableRoot, DeltaSnapshot snapshot)
    {
        var partitionColumns = snapshot.PartitionColumns.ToHashSet(StringComparer.Ordinal);
        var columns = snapshot.Columns;
        if (snapshot.FileCount == 0)
        {
            return "SELECT " + string.Join(", ", columns.Select(c => $"CAST(NULL AS {DuckDbType(c.Type)}) AS {SqlIdentifiers.Quote(c.Name)}")) + " WHERE false";
        }

        // Files are read together when they share partition values and lack the same added columns: DuckDB merges a
        // group's files by column name, but a column no file of a group has must be named as null.
        var addedLater = LakeDeltaTables.AddedLater(snapshot);
        var selects = snapshot.Files
            .GroupBy(file => (
                Partition: string.Join('\u0001', snapshot.PartitionColumns.Select(p => file.PartitionValues.GetValueOrDefault(p) ?? "\u0000")),
                Missing: string.Join(',', addedLater.Where(column => !LakeDeltaTables.HasColumn(file, column)))))
            .Select(group =>
            {
                var first = group.First();
                var missing = group.Key.Missing.Split(',').ToHashSet(StringComparer.Ordinal);
                var sql = new StringBuilder("SELECT ");
                sql.AppendJoin(", ", columns.Select(c =>
                    partitionColumns.Contains(c.Name) ? $"{PartitionValue(first.PartitionValues.GetValueOrDefault(c.Name), c.Type)} AS {SqlIdentifiers.Quote(c.Name)}"
                    : missing.Contains(c.Name) ? $"CAST(NULL AS {DuckDbType(c.Type)}) AS {SqlIdentifiers.Quote(c.Name)}"
                    : SqlIdentifiers.Quote(c.Name)));
                sql.Append(" FROM read_parquet([");
                sql.AppendJoin(", ", group.Select(file => SqlText.Quote(LocalPath(tableRoot, file))));
                sql.Append("], union_by_name = true, hive_partitioning = false)");
                return sql.ToString();
            });
        return string.Join("\nUNION ALL ", selects);
    }

    /// <summary>A data file's local path: relative paths (URI-encoded) under the table, or a <c>file:</c> URI.</summary>
    public static string LocalPath(string tableRoot, DeltaFile file) =>
        Uri.TryCreate(file.Path, UriKind.Absolute, out var uri) && uri.IsFile
            ? uri.LocalPath
            : Path.Combine(tableRoot, file.StoragePath.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>DuckDB's type for a Delta primitive type.</summary>
    public static string DuckDbType(string deltaType) => deltaType switch
    {
        "string" => "VARCHAR",
        "long" => "BIGINT",
        "integer" => "INTEGER",
        "short" => "SMALLINT",
        "byte" => "TINYINT",
        "float" => "FLOAT",
        "double" => "DOUBLE",
        "boolean" => "BOOLEAN",
        "binary" => "BLOB",
        "date" => "DATE",
        "timestamp" => "TIMESTAMPTZ",
        "timestamp_ntz" => "TIMESTAMP",
        var other when other.StartsWith("decimal", StringComparison.Ordinal) => other.ToUpperInvariant(),
        var other => throw new NotSupportedException($"Delta type {other} has no DuckDB type here"),
    };

    private static string PartitionValue(string? value, string deltaType) =>
        value is null ? $"CAST(NULL AS {DuckDbType(deltaType)})" : string.Create(CultureInfo.InvariantCulture, $"CAST({SqlText.Quote(value)} AS {DuckDbType(deltaType)})");
}
