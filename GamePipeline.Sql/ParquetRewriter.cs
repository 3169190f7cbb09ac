using System.Globalization;
using DuckDB.NET.Data;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Sql;

/// <summary>A data file a rewrite wrote: its <c>add</c> (path relative to the table, size, statistics) and rows.</summary>
public sealed record RewrittenFile(AddAction Add, long Rows);

/// <summary>
/// Writes data files of a lake table with DuckDB: several files rewritten into one, sorted by a column (compaction:
/// each file's min/max statistics on it narrow), one file rewritten without some rows (an erasure), or rows given as
/// SQL (the erasures audit trail) — as Snappy Parquet in the lake, with the statistics its <c>add</c> carries computed
/// from the file written. DuckDB runs on one thread within a memory limit and spills
/// to a scratch folder beyond it, so a rewrite leaves the machine's other cores to the writer.
/// Inputs on a local lake are read in place; others are copied to the scratch folder first.
/// </summary>
public sealed class ParquetRewriter(ILakeStorage storage, string memoryLimit = "1GB")
{
    public Task<RewrittenFile> RewriteAsync(LakeTable table, string partitionValue, IReadOnlyList<DeltaFile> inputs, string orderBy, CancellationToken cancellationToken) =>
        WithDuckDbAsync(async (connection, scratch) =>
        {
            var sources = await LocalCopiesAsync(table, inputs, scratch, cancellationToken);
            var select = $"SELECT {Columns(table, inputs)} FROM {ReadParquet(sources)} ORDER BY {SqlIdentifiers.Quote(orderBy)}";
            return await CopyToLakeAsync(connection, table, partitionValue, select, "compacted", dataChange: false, scratch, cancellationToken);
        });

    /// <summary>
    /// Rewrites one data file without the rows <paramref name="predicate"/> (SQL over the table's columns) holds for,
    /// as a change of the table's data (<c>dataChange=true</c>): the file written (null when no row is left) and the
    /// rows left out.
    /// </summary>
    public Task<(RewrittenFile? Kept, long Removed)> RewriteWithoutAsync(LakeTable table, DeltaFile input, string predicate, CancellationToken cancellationToken) =>
        WithDuckDbAsync(async (connection, scratch) =>
        {
            var source = ReadParquet(await LocalCopiesAsync(table, [input], scratch, cancellationToken));
            var keep = $"NOT ({predicate}) OR ({predicate}) IS NULL";
            var (removed, kept) = await CountsAsync(connection, $"SELECT COUNT(*) FILTER (WHERE {predicate}), COUNT(*) FILTER (WHERE {keep}) FROM {source}", cancellationToken);
            if (removed == 0 || kept == 0)
            {
                return ((RewrittenFile?)null, removed);
            }

            var partitionValue = input.PartitionValues.GetValueOrDefault(LakeTables.PartitionColumn) ?? throw new InvalidDataException($"{input.Path} has no {LakeTables.PartitionColumn}");
            var select = $"SELECT {Columns(table, [input])} FROM {source} WHERE {keep}";
            return (await CopyToLakeAsync(connection, table, partitionValue, select, "erased", dataChange: true, scratch, cancellationToken), removed);
        });

    /// <summary>Writes the rows of <paramref name="select"/> (the table's columns, in order) as a new data file of the partition.</summary>
    public Task<RewrittenFile> WriteAsync(LakeTable table, string partitionValue, string select, string kind, CancellationToken cancellationToken) =>
        WithDuckDbAsync((connection, scratch) => CopyToLakeAsync(connection, table, partitionValue, select, kind, dataChange: true, scratch, cancellationToken));

    /// <summary>A DuckDB on one thread within the memory limit, spilling to a scratch folder that is deleted afterwards.</summary>
    private async Task<T> WithDuckDbAsync<T>(Func<DuckDBConnection, string, Task<T>> work)
    {
        var scratch = Directory.CreateTempSubdirectory("lake-rewrite-");
        try
        {
            await using var connection = new DuckDBConnection("Data Source=:memory:");
            await connection.OpenAsync();
            await ExecuteAsync(connection, $"SET threads = 1; SET memory_limit = {SqlText.Quote(memoryLimit)}; SET temp_directory = {SqlText.Quote(Path.Combine(scratch.FullName, "spill"))}", CancellationToken.None);
            return await work(connection, scratch.FullName);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The table's columns; null for a column added after every input was written (the output has it, all null).</summary>
    private static string Columns(LakeTable table, IReadOnlyList<DeltaFile> inputs) => string.Join(", ", table.Columns.Select(c =>
        c.AddedLater && !inputs.Any(input => LakeDeltaTables.HasColumn(input, c.Name))
            ? $"CAST(NULL AS {DeltaSnapshotSql.DuckDbType(LakeDeltaTables.DeltaType(c.Type))}) AS {SqlIdentifiers.Quote(c.Name)}"
            : SqlIdentifiers.Quote(c.Name)));

    private static string ReadParquet(IEnumerable<string> files) =>
        $"read_parquet([{string.Join(", ", files.Select(SqlText.Quote))}], union_by_name = true, hive_partitioning = false)";

    private async Task<List<string>> LocalCopiesAsync(LakeTable table, IReadOnlyList<DeltaFile> inputs, string scratch, CancellationToken cancellationToken)
    {
        var sources = new List<string>();
        foreach (var input in inputs)
        {
            sources.Add(await LocalCopyAsync(table, input, scratch, cancellationToken));
        }

        return sources;
    }

    /// <summary>Writes the rows of <paramref name="select"/> as Snappy Parquet, computes its statistics, and puts it in the lake.</summary>
    private async Task<RewrittenFile> CopyToLakeAsync(DuckDBConnection connection, LakeTable table, string partitionValue, string select, string kind, bool dataChange, string scratch, CancellationToken cancellationToken)
    {
        var output = Path.Combine(scratch, $"{kind}-{Guid.NewGuid():N}.parquet");
        await ExecuteAsync(connection, $"COPY ({select}) TO {SqlText.Quote(output)} (FORMAT parquet, COMPRESSION snappy)", cancellationToken);
        var (rows, stats) = await StatsAsync(connection, table, output, cancellationToken);

        var path = LakeLayout.WrittenDataFile(partitionValue, kind);
        await using (var file = File.OpenRead(output))
        {
            await storage.WriteAsync($"{table.Name}/{path}", stream => file.CopyToAsync(stream, cancellationToken), cancellationToken);
        }

        return new RewrittenFile(new AddAction
        {
            Path = path,
            PartitionValues = new() { [LakeTables.PartitionColumn] = partitionValue },
            Size = new FileInfo(output).Length,
            ModificationTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            DataChange = dataChange,
            Stats = stats,
        }, rows);
    }

    /// <summary>The two counts a one-row query answers.</summary>
    private static async Task<(long First, long Second)> CountsAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    private async Task<string> LocalCopyAsync(LakeTable table, DeltaFile input, string scratch, CancellationToken cancellationToken)
    {
        var relative = $"{table.Name}/{input.StoragePath}";
        if (storage is LocalLakeStorage)
        {
            return Path.Combine(storage.Location, relative.Replace('/', Path.DirectorySeparatorChar));
        }

        var bytes = await storage.ReadAsync(relative, cancellationToken) ?? throw new FileNotFoundException($"{relative} is in the table's snapshot but not in the lake", relative);
        var local = Path.Combine(scratch, $"{Guid.NewGuid():N}.parquet");
        await File.WriteAllBytesAsync(local, bytes, cancellationToken);
        return local;
    }

    /// <summary>The statistics the writer records (DeltaFileStats), computed by DuckDB over the file written.</summary>
    private static async Task<(long Rows, string Stats)> StatsAsync(DuckDBConnection connection, LakeTable table, string file, CancellationToken cancellationToken)
    {
        var columns = table.Columns.Where(c => c.Type is not LakeColumnType.Binary && (c.Type is not LakeColumnType.String || c.Stats)).ToList();
        // Times as epoch milliseconds, the maximum rounded up, so both stay bounds at the precision the log records.
        var aggregates = columns.SelectMany(c =>
        {
            var name = SqlIdentifiers.Quote(c.Name);
            return c.Type == LakeColumnType.Timestamp
                ? new[] { $"epoch_ms(MIN({name}))", $"CAST(ceil(epoch_us(MAX({name})) / 1000.0) AS BIGINT)", $"COUNT(*) - COUNT({name})" }
                : [$"MIN({name})", $"MAX({name})", $"COUNT(*) - COUNT({name})"];
        });
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*), {string.Join(", ", aggregates)} FROM read_parquet({SqlText.Quote(file)})";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var rows = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
        var stats = new DeltaFileStats(rows);
        for (var i = 0; i < columns.Count; i++)
        {
            var (min, max, nulls) = (reader.GetValue(1 + 3 * i), reader.GetValue(2 + 3 * i), Convert.ToInt64(reader.GetValue(3 + 3 * i), CultureInfo.InvariantCulture));
            stats.Add(columns[i].Name, Bound(columns[i], min, isMin: true), Bound(columns[i], max, isMin: false), nulls);
        }

        return (rows, stats.ToJson());
    }

    private static System.Text.Json.Nodes.JsonNode? Bound(LakeColumn column, object value, bool isMin) => value switch
    {
        DBNull => null,
        string text => isMin ? DeltaFileStats.Min(text) : DeltaFileStats.Max(text),
        _ when column.Type == LakeColumnType.Timestamp => DeltaFileStats.Value(DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture)).UtcDateTime),
        _ when column.Type == LakeColumnType.Int32 => DeltaFileStats.Value(Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        _ => DeltaFileStats.Value(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
    };

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
