using DuckDB.NET.Data;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Tests.Delta;

/// <summary>
/// Conformance: real tables written by Spark (testdata/delta/golden-tables) read by our Delta log reader, with the
/// results that folder's README gives for a correct reader.
/// </summary>
public sealed class GoldenTableTests
{
    private static readonly string Golden = Path.Combine(Repository.Root, "testdata", "delta", "golden-tables");
    private static readonly LocalLakeStorage Storage = new(Golden);

    private static Task<DeltaSnapshot> ReadAsync(string table, long? version = null) => new DeltaLog(Storage, table).ReadAsync(version);

    private static Task<DeltaTableSummary> SummaryAsync(string table, long? version = null) => DeltaTableSummary.ReadAsync(Storage, table, version, CancellationToken.None);

    [Theory]
    [InlineData("snapshot-data0", 0, 10)]
    [InlineData("snapshot-data1", 1, 20)]
    [InlineData("snapshot-data2", 2, 10)]
    [InlineData("snapshot-data3", 3, 30)]
    [InlineData("snapshot-data2-deleted", 4, 20)]
    [InlineData("snapshot-repartitioned", 5, 20)]
    [InlineData("only-checkpoint-files", 2, 25)]
    [InlineData("multi-part-checkpoint", 1, 31)]
    [InlineData("basic-with-inserts-deletes-checkpoint", 13, 41)]
    public async Task The_latest_snapshot_holds_the_rows_spark_left(string table, long version, long rows)
    {
        var summary = await SummaryAsync(table);

        Assert.Equal(version, summary.Version);
        Assert.Equal(rows, summary.Rows);
    }

    [Fact]
    public async Task Deletes_and_a_compaction_leave_exactly_the_live_files()
    {
        Assert.Equal(3, (await ReadAsync("snapshot-data2-deleted")).FileCount);
        var repartitioned = await ReadAsync("snapshot-repartitioned");
        Assert.Equal(2, repartitioned.FileCount);
    }

    [Fact]
    public async Task A_checkpoint_then_the_commits_after_it_give_the_ids_spark_kept()
    {
        var snapshot = await ReadAsync("basic-with-inserts-deletes-checkpoint");
        var listing = DeltaLogFiles.Parse(Directory.EnumerateFiles(Path.Combine(Golden, "basic-with-inserts-deletes-checkpoint", "_delta_log")).Select(Path.GetFileName)!);
        Assert.Equal(10, listing.CheckpointAtOrBefore(snapshot.Version));

        var ids = ReadIds(snapshot);

        long[] expected = [.. Enumerable.Range(0, 5), .. Enumerable.Range(10, 5), .. Enumerable.Range(20, 5), .. Enumerable.Range(30, 5), .. Enumerable.Range(40, 5), .. Enumerable.Range(50, 16)];
        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task A_log_of_files_without_data_replays_to_its_one_live_file()
    {
        var snapshot = await ReadAsync("checkpoint");

        Assert.Equal(14, snapshot.Version);
        Assert.Equal(["15"], snapshot.Files.Select(f => f.Path));
    }

    [Theory]
    [InlineData("time-travel-start-start20-start40", 0, 10)]
    [InlineData("time-travel-start-start20-start40", 1, 20)]
    [InlineData("time-travel-start-start20-start40", 2, 30)]
    [InlineData("time-travel-start-start20", 0, 10)]
    [InlineData("time-travel-start", 0, 10)]
    public async Task Time_travel_by_version_reads_that_version(string table, long version, long rows)
    {
        var summary = await SummaryAsync(table, version);

        Assert.Equal(version, summary.Version);
        Assert.Equal(rows, summary.Rows);
    }

    [Fact]
    public async Task Partition_values_come_from_the_log_with_nulls_kept()
    {
        var snapshot = await ReadAsync("data-reader-partition-values");

        Assert.Equal(["as_int", "as_long", "as_byte", "as_short", "as_boolean", "as_float", "as_double", "as_string", "as_string_lit_null", "as_date", "as_timestamp", "as_big_decimal"], snapshot.PartitionColumns);
        Assert.Equal(3, snapshot.FileCount);
        Assert.Equal(["0", "1", null], snapshot.Files.Select(f => f.PartitionValues["as_int"]).OrderBy(v => v ?? "~", StringComparer.Ordinal));
        Assert.All(snapshot.Files, f => Assert.True(File.Exists(Path.Combine(Golden, "data-reader-partition-values", f.StoragePath)), f.StoragePath));
    }

    [Fact]
    public async Task Paths_are_uri_decoded_to_the_files_storage_holds()
    {
        var snapshot = await ReadAsync("kernel-timestamp-TIMESTAMP_MILLIS");

        Assert.NotEmpty(snapshot.Files);
        Assert.Contains(snapshot.Files, f => f.Path.Contains('%', StringComparison.Ordinal));
        Assert.All(snapshot.Files, f => Assert.True(File.Exists(Path.Combine(Golden, "kernel-timestamp-TIMESTAMP_MILLIS", f.StoragePath)), f.StoragePath));
        Assert.True((await SummaryAsync("kernel-timestamp-TIMESTAMP_MILLIS")).Rows > 0);
    }

    [Fact]
    public async Task The_latest_schema_and_protocol_win()
    {
        var summary = await SummaryAsync("log-replay-latest-metadata-protocol");

        Assert.Equal(["col1", "col2"], summary.Columns);
        Assert.Equal((3, 7), (summary.MinReaderVersion, summary.MinWriterVersion));
    }

    [Fact]
    public async Task Primitive_columns_and_a_log_with_change_data_read()
    {
        var primitives = await SummaryAsync("data-reader-primitives");
        Assert.Equal(["as_int", "as_long", "as_byte", "as_short", "as_boolean", "as_float", "as_double", "as_string", "as_binary", "as_big_decimal"], primitives.Columns);
        Assert.Equal(11, primitives.Rows);

        var changes = await ReadAsync("deltalog-getChanges");
        Assert.Equal(2, changes.Version);
    }

    [Fact]
    public async Task A_corrupt_last_checkpoint_file_changes_nothing()
    {
        var copy = CopyOf("corrupted-last-checkpoint");
        await File.WriteAllTextAsync(Path.Combine(copy.FullName, "_delta_log", "_last_checkpoint"), "");

        var original = await ReadAsync("corrupted-last-checkpoint");
        var corrupted = await new DeltaLog(new LocalLakeStorage(copy.FullName), ".").ReadAsync();

        Assert.Equal(original.Version, corrupted.Version);
        Assert.Equal(original.Files.Select(f => f.Path), corrupted.Files.Select(f => f.Path));
        copy.Delete(recursive: true);
    }

    [Fact]
    public async Task A_missing_version_is_an_error_never_a_partial_table()
    {
        var error = await Assert.ThrowsAsync<DeltaTableException>(() => ReadAsync("versions-not-contiguous"));

        Assert.Equal(DeltaReadFailure.MissingVersion, error.Failure);
        Assert.Contains("version 1 is missing", error.Message);
    }

    [Fact]
    public async Task An_unknown_protocol_version_is_refused()
    {
        var error = await Assert.ThrowsAsync<DeltaTableException>(() => ReadAsync("deltalog-invalid-protocol-version"));

        Assert.Equal(DeltaReadFailure.UnsupportedProtocol, error.Failure);
        Assert.Contains("reader version 99", error.Message);
    }

    [Fact]
    public async Task A_version_past_the_latest_and_a_folder_without_a_log_are_errors()
    {
        Assert.Equal(DeltaReadFailure.MissingVersion, (await Assert.ThrowsAsync<DeltaTableException>(() => ReadAsync("snapshot-data1", 7))).Failure);
        Assert.Equal(DeltaReadFailure.NotATable, (await Assert.ThrowsAsync<DeltaTableException>(() => ReadAsync("no-such-table"))).Failure);
    }

    [Fact]
    public async Task A_refresh_reads_only_the_commits_after_the_snapshot()
    {
        var copy = CopyOf("time-travel-start-start20-start40");
        var log = Path.Combine(copy.FullName, "_delta_log");
        var later = new[] { 1, 2 }.Select(v => Path.Combine(log, DeltaLogFiles.CommitName(v))).ToDictionary(p => p, File.ReadAllBytes);
        foreach (var path in later.Keys)
        {
            File.Delete(path);
        }

        var storage = new CountingStorage(new LocalLakeStorage(copy.FullName));
        var deltaLog = new DeltaLog(storage, ".");
        var first = await deltaLog.ReadAsync();
        Assert.Equal(0, first.Version);
        foreach (var (path, bytes) in later)
        {
            await File.WriteAllBytesAsync(path, bytes);
        }

        storage.Reads.Clear();
        var refreshed = await deltaLog.RefreshAsync(first);

        Assert.Equal(2, refreshed.Version);
        // By name, up to the first version that is not there: no listing of the log.
        Assert.Equal([DeltaLogFiles.CommitName(1), DeltaLogFiles.CommitName(2), DeltaLogFiles.CommitName(3)], storage.Reads.Select(Path.GetFileName));
        Assert.Equal((await ReadAsync("time-travel-start-start20-start40")).Files.Select(f => f.Path), refreshed.Files.Select(f => f.Path));
        Assert.Same(refreshed, await deltaLog.RefreshAsync(refreshed));
        copy.Delete(recursive: true);
    }

    [Fact]
    public async Task Time_travel_by_timestamp_reads_the_newest_version_committed_at_or_before_it()
    {
        var copy = CopyOf("time-travel-start-start20-start40");
        var log = Path.Combine(copy.FullName, "_delta_log");
        var start = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        for (var version = 0; version <= 2; version++)
        {
            File.SetLastWriteTimeUtc(Path.Combine(log, DeltaLogFiles.CommitName(version)), start.AddMinutes(10 * version));
        }

        var deltaLog = new DeltaLog(new LocalLakeStorage(copy.FullName), ".");

        Assert.Equal(0, (await deltaLog.ReadAsOfAsync(start)).Version);
        Assert.Equal(0, (await deltaLog.ReadAsOfAsync(start.AddMinutes(9))).Version);
        Assert.Equal(1, (await deltaLog.ReadAsOfAsync(start.AddMinutes(10))).Version);
        Assert.Equal(2, (await deltaLog.ReadAsOfAsync(start.AddDays(1))).Version);
        var before = await Assert.ThrowsAsync<DeltaTableException>(() => deltaLog.ReadAsOfAsync(start.AddSeconds(-1)));
        Assert.Equal(DeltaReadFailure.MissingVersion, before.Failure);
        Assert.Contains("version 0", before.Message);
        Assert.Equal(DeltaReadFailure.MissingVersion, (await Assert.ThrowsAsync<DeltaTableException>(() => deltaLog.ReadAsOfAsync(DateTimeOffset.UtcNow.AddHours(1)))).Failure);

        // A commit whose file is older than its predecessor's still comes after it.
        File.SetLastWriteTimeUtc(Path.Combine(log, DeltaLogFiles.CommitName(2)), start.AddMinutes(5));
        var times = await deltaLog.CommitTimesAsync();
        Assert.Equal(new DateTimeOffset(start.AddMinutes(10)).AddMilliseconds(1), times[2].Time);
        // So at minute 6 (after its file's time) version 2 does not exist yet; version 0 is the state.
        Assert.Equal(0, (await deltaLog.ReadAsOfAsync(start.AddMinutes(6))).Version);
        copy.Delete(recursive: true);
    }

    private static DirectoryInfo CopyOf(string table)
    {
        var copy = Directory.CreateTempSubdirectory($"golden-{table}-");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Golden, table), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy.FullName, Path.GetRelativePath(Path.Combine(Golden, table), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static long[] ReadIds(DeltaSnapshot snapshot)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        var files = string.Join(", ", snapshot.Files.Select(f => $"'{Path.Combine(Golden, snapshot.Table, f.StoragePath)}'"));
        command.CommandText = $"SELECT id FROM read_parquet([{files}]) ORDER BY id";
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return [.. ids];
    }

    /// <summary>A lake storage that records which files were read.</summary>
    private sealed class CountingStorage(ILakeStorage inner) : DelegatingLakeStorage(inner)
    {
        public List<string> Reads { get; } = [];

        public override Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
        {
            Reads.Add(path);
            return base.ReadAsync(path, cancellationToken);
        }
    }
}
