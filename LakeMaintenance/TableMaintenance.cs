using System.Diagnostics;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using GamePipeline.Sql;
using Microsoft.Extensions.Options;

namespace LakeMaintenance;

/// <summary>What one maintenance pass over a table did.</summary>
public sealed record CompactionOutcome(int Commits, int FilesRemoved, int FilesAdded, long BytesRewritten, int Conflicts);

public sealed record VacuumOutcome(int DataFilesDeleted, long BytesDeleted, int LogFilesDeleted);

/// <summary>
/// Keeps the lake's Delta tables compact: compaction commits (<see cref="CompactionPlanner"/>, <see cref="ParquetRewriter"/>),
/// vacuum of data files no retained snapshot needs, and log cleanup behind the newest checkpoint the log retention allows.
/// </summary>
public sealed class TableMaintenance(ILakeStorage storage, IOptions<LakeMaintenanceOptions> options, MaintenanceMetrics metrics, TimeProvider time, ILogger<TableMaintenance> logger)
{
    private readonly LakeMaintenanceOptions _options = options.Value;
    private readonly ParquetRewriter _rewriter = new(storage);
    private readonly Dictionary<string, DeltaCommitter> _committers = [];

    // Per table, the paths each commit added, so that a vacuum reads only the commits since the last one.
    private readonly Dictionary<string, SortedList<long, string[]>> _addedByVersion = [];

    /// <summary>The sort key of compacted files: the event's time, or the Kafka time for tables without one, else the table's first time.</summary>
    public static string SortColumn(LakeTable table) =>
        table.Columns.Any(c => c.Name == "event_time") ? "event_time"
        : table.Columns.Any(c => c.Name == "kafka_timestamp") ? "kafka_timestamp"
        : table.Columns.First(c => c.Type == LakeColumnType.Timestamp).Name;

    public async Task<CompactionOutcome> CompactAsync(LakeTable table, CancellationToken cancellationToken)
    {
        var committer = Committer(table);
        var snapshot = await committer.RefreshAsync(cancellationToken);
        if (snapshot is null)
        {
            return new CompactionOutcome(0, 0, 0, 0, 0);
        }

        var policy = CompactionPolicy.From(_options);
        metrics.Observe(table.Name, snapshot, policy);
        var outcome = new CompactionOutcome(0, 0, 0, 0, 0);
        foreach (var bin in CompactionPlanner.Plan(snapshot.Files, LakeTables.PartitionColumn, time.GetUtcNow(), policy))
        {
            outcome = await CompactAsync(table, committer, bin, outcome, cancellationToken);
        }

        if (outcome.Commits > 0 && committer.Snapshot is { } after)
        {
            metrics.Observe(table.Name, after, policy);
        }

        return outcome;
    }

    private async Task<CompactionOutcome> CompactAsync(LakeTable table, DeltaCommitter committer, CompactionBin bin, CompactionOutcome outcome, CancellationToken cancellationToken)
    {
        using var activity = MaintenanceMetrics.Source.StartActivity("compact");
        activity?.SetTag("gamepipeline.table", table.Name);
        activity?.SetTag("gamepipeline.partition", bin.PartitionValue);
        activity?.SetTag("gamepipeline.files", bin.Files.Count);
        var started = Stopwatch.GetTimestamp();
        var rewritten = await _rewriter.RewriteAsync(table, bin.PartitionValue, bin.Files, SortColumn(table), cancellationToken);
        if (rewritten.Rows != bin.Rows)
        {
            await storage.DeleteAsync($"{table.Name}/{rewritten.Add.Path}", cancellationToken);
            throw new InvalidDataException($"{table.Name} dt={bin.PartitionValue}: the rewrite holds {rewritten.Rows} rows where its {bin.Files.Count} inputs' statistics say {bin.Rows}; nothing was committed");
        }

        try
        {
            var result = await committer.ReplaceAsync(bin.Files, [rewritten.Add], "OPTIMIZE", cancellationToken, new Dictionary<string, string>
            {
                ["predicate"] = $"[\"{LakeTables.PartitionColumn} = '{bin.PartitionValue}'\"]",
                ["zOrderBy"] = "[]",
                ["sortBy"] = $"[\"{SortColumn(table)}\"]",
            });
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            metrics.Compacted(table.Name, bin.Files.Count, bin.Bytes, seconds);
            MaintenanceLog.Compacted(logger, table.Name, bin.PartitionValue, bin.Files.Count, bin.Bytes, rewritten.Add.Size ?? 0, result.Version, seconds);
            if (result.CheckpointError is { } checkpointError)
            {
                MaintenanceLog.CheckpointFailed(logger, checkpointError, table.Name, result.Version);
            }

            return outcome with
            {
                Commits = outcome.Commits + 1,
                FilesRemoved = outcome.FilesRemoved + bin.Files.Count,
                FilesAdded = outcome.FilesAdded + 1,
                BytesRewritten = outcome.BytesRewritten + bin.Bytes,
            };
        }
        catch (DeltaFilesConflictException e)
        {
            // Another commit removed some inputs first: this output is in no version; the next pass plans again.
            await storage.DeleteAsync($"{table.Name}/{rewritten.Add.Path}", cancellationToken);
            MaintenanceLog.CompactionConflict(logger, table.Name, bin.PartitionValue, e.Message);
            return outcome with { Conflicts = outcome.Conflicts + 1 };
        }
    }

    /// <summary>
    /// Deletes the table's data files that no snapshot within <see cref="LakeMaintenanceOptions.VacuumRetention"/> needs —
    /// files removed before the snapshot at the retention's edge, and files no commit ever added (a writer that died
    /// before its commit) — once they are older than the retention; then commits and checkpoints older than
    /// <see cref="LakeMaintenanceOptions.LogRetention"/> that the newest checkpoint within it makes unnecessary.
    /// A file by a name this project's writers do not give is never deleted, so any Delta table may be vacuumed.
    /// </summary>
    public async Task<VacuumOutcome> VacuumAsync(string table, CancellationToken cancellationToken)
    {
        using var activity = MaintenanceMetrics.Source.StartActivity("vacuum");
        activity?.SetTag("gamepipeline.table", table);
        var started = Stopwatch.GetTimestamp();
        var log = new DeltaLog(storage, table);
        var times = await log.CommitTimesAsync(cancellationToken);
        if (times.Count == 0)
        {
            return new VacuumOutcome(0, 0, 0);
        }

        var now = time.GetUtcNow();
        var (dataFiles, bytes) = await DeleteUnneededDataAsync(table, log, times, now - _options.VacuumRetention, cancellationToken);
        var logFiles = await CleanLogAsync(table, log, times, now - _options.LogRetention, now - _options.VacuumRetention, cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        metrics.Vacuumed(table, dataFiles, bytes, logFiles, seconds);
        if (dataFiles + logFiles > 0)
        {
            MaintenanceLog.Vacuumed(logger, table, dataFiles, bytes, logFiles, seconds);
        }

        return new VacuumOutcome(dataFiles, bytes, logFiles);
    }

    private async Task<(int Files, long Bytes)> DeleteUnneededDataAsync(string table, DeltaLog log, IReadOnlyList<(long Version, DateTimeOffset Time)> times, DateTimeOffset edge, CancellationToken cancellationToken)
    {
        // Every file a snapshot from the one at the edge up to the latest lists: the edge's files, and every file a
        // commit after it added. A table younger than the retention keeps every file its log ever added.
        var oldest = AtOrBefore(times, edge) ?? times[0].Version;
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var atEdge = await log.ReadAsync(oldest, cancellationToken);
        needed.UnionWith(atEdge.Files.Select(f => f.StoragePath));
        var added = AddedByVersion(table);
        foreach (var version in added.Keys.Where(v => v <= oldest).ToList())
        {
            added.Remove(version);
        }

        for (var version = oldest + 1; version <= times[^1].Version; version++)
        {
            if (!added.ContainsKey(version))
            {
                var actions = await log.ReadCommitAsync(version, cancellationToken)
                    ?? throw new DeltaTableException(DeltaReadFailure.MissingVersion, $"{table}: version {version} vanished while vacuum read the log");
                added[version] = [.. actions.Where(a => a.Add?.Path is not null).Select(a => Uri.UnescapeDataString(a.Add!.Path!))];
            }

            needed.UnionWith(added[version]);
        }

        // Commits landed after the listing: their files are younger than the edge, so kept by their age below.
        int files = 0;
        long bytes = 0;
        foreach (var folder in (await storage.ListDirectoriesAsync(table, cancellationToken)).Where(d => d.StartsWith(LakeTables.PartitionColumn + "=", StringComparison.Ordinal)))
        {
            foreach (var file in await storage.ListFilesAsync($"{table}/{folder}", cancellationToken))
            {
                if (file.ModifiedAt <= edge && LakeLayout.IsOwnDataFileName(file.Name) && !needed.Contains($"{folder}/{file.Name}"))
                {
                    await storage.DeleteAsync($"{table}/{folder}/{file.Name}", cancellationToken);
                    files++;
                    bytes += file.Length;
                }
            }
        }

        return (files, bytes);
    }

    private async Task<int> CleanLogAsync(string table, DeltaLog log, IReadOnlyList<(long Version, DateTimeOffset Time)> times, DateTimeOffset edge, DateTimeOffset temporaryEdge, CancellationToken cancellationToken)
    {
        var folder = $"{table}/{DeltaLogFiles.LogDirectory}";
        var deleted = 0;
        // Temporary files of commits and checkpoints that were never published (their writer died).
        foreach (var file in await storage.ListFilesAsync(folder, cancellationToken))
        {
            if (file.Name.StartsWith('.') && file.Name.EndsWith(".tmp", StringComparison.Ordinal) && file.ModifiedAt <= temporaryEdge)
            {
                await storage.DeleteAsync($"{folder}/{file.Name}", cancellationToken);
                deleted++;
            }
        }

        // Versions from the one at the edge on must stay readable: keep the newest checkpoint at or before it and
        // everything after; what is older than that checkpoint no reader within the retention needs.
        if (AtOrBefore(times, edge) is not { } edgeVersion || (await log.ListAsync(cancellationToken)) is not { } listing
            || listing.CheckpointAtOrBefore(edgeVersion) is not { } keepFrom)
        {
            return deleted;
        }

        foreach (var version in listing.Commits.Where(v => v < keepFrom).ToList())
        {
            await storage.DeleteAsync($"{folder}/{DeltaLogFiles.CommitName(version)}", cancellationToken);
            deleted++;
        }

        foreach (var (version, parts) in listing.Checkpoints.Where(c => c.Key < keepFrom).ToList())
        {
            foreach (var part in parts)
            {
                await storage.DeleteAsync($"{folder}/{part}", cancellationToken);
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>The newest version committed at or before <paramref name="time"/>: the snapshot a reader at that time saw.</summary>
    private static long? AtOrBefore(IReadOnlyList<(long Version, DateTimeOffset Time)> times, DateTimeOffset time) =>
        times.Where(t => t.Time <= time).Select(t => (long?)t.Version).LastOrDefault();

    private SortedList<long, string[]> AddedByVersion(string table)
    {
        if (!_addedByVersion.TryGetValue(table, out var added))
        {
            _addedByVersion[table] = added = [];
        }

        return added;
    }

    private DeltaCommitter Committer(LakeTable table)
    {
        if (!_committers.TryGetValue(table.Name, out var committer))
        {
            committer = new DeltaCommitter(storage, table.Name, LakeDeltaTables.Definition(table), _options.CheckpointInterval);
            _committers[table.Name] = committer;
        }

        return committer;
    }
}
