using System.Globalization;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace AnalyticsApi.Queries;

/// <summary>One commit of a table's Delta log, as <c>GET /api/tables/{table}/history</c> lists it.</summary>
public sealed record TableCommit(long Version, DateTimeOffset Timestamp, string Operation, int FilesAdded, int FilesRemoved, long RowsAdded, long? RowsRemoved);

/// <summary>A page of a table's history, newest first; <see cref="NextBefore"/> asks for the page after it.</summary>
public sealed record TableHistory(string Table, IReadOnlyList<TableCommit> Commits, long? NextBefore);

/// <summary>Live files and the newest compaction of a table, for the report.</summary>
public sealed record TableLakeState(string Table, long Version, int LiveFiles, long LiveBytes, DateTimeOffset? LastCompaction);

/// <summary>
/// The lake tables' versions read from their Delta logs (the lake, not the SQL engine, knows them): which version a
/// <c>?version=</c> or <c>?as_of=</c> names, and each table's history of commits.
/// </summary>
public sealed class TableVersions(ILakeStorage storage)
{
    /// <summary>
    /// The version a request names: <paramref name="version"/> itself once the log is found to hold it, or the newest
    /// committed at or before <paramref name="asOf"/>; null for neither (the current state). A version the log does
    /// not hold, or a time before its oldest commit or in the future, is a <see cref="DeltaTableException"/>.
    /// </summary>
    public async Task<long?> ResolveAsync(string table, long? version, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var log = new DeltaLog(storage, table);
        if (version is { } asked)
        {
            return (await log.ReadAsync(asked, cancellationToken)).Version;
        }

        return asOf is { } time ? (await log.ReadAsOfAsync(time, cancellationToken)).Version : null;
    }

    public async Task<TableHistory> HistoryAsync(string table, int limit, long? before, CancellationToken cancellationToken)
    {
        var log = new DeltaLog(storage, table);
        var times = await log.CommitTimesAsync(cancellationToken);
        var page = times.Where(t => before is null || t.Version < before).Reverse().Take(limit + 1).ToList();
        var commits = new List<TableCommit>();
        foreach (var (version, time) in page.Take(limit))
        {
            if (await log.ReadCommitAsync(version, cancellationToken) is { } actions)
            {
                commits.Add(Describe(version, time, actions));
            }
        }

        return new TableHistory(table, commits, page.Count > limit ? page[limit - 1].Version : null);
    }

    public async Task<TableLakeState> StateAsync(string table, int historyDepth, CancellationToken cancellationToken)
    {
        var snapshot = await new DeltaLog(storage, table).ReadAsync(cancellationToken: cancellationToken);
        var history = await HistoryAsync(table, historyDepth, null, cancellationToken);
        var compaction = history.Commits.FirstOrDefault(c => c.Operation == "OPTIMIZE");
        return new TableLakeState(table, snapshot.Version, snapshot.FileCount, snapshot.Files.Sum(f => f.Size), compaction?.Timestamp);
    }

    private static TableCommit Describe(long version, DateTimeOffset time, IReadOnlyList<DeltaAction> actions)
    {
        var info = actions.Select(a => a.CommitInfo).FirstOrDefault(i => i is not null);
        var adds = actions.Where(a => a.Add is not null).Select(a => a.Add!).ToList();
        var removed = actions.Count(a => a.Remove is not null);
        long? rowsRemoved = removed == 0 ? 0
            : info?.OperationMetrics?.GetValueOrDefault("numRemovedRows") is { } rows && long.TryParse(rows, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
        return new TableCommit(version, time, info?.Operation ?? "UNKNOWN", adds.Count, removed, adds.Sum(a => DeltaFileStats.Records(a.Stats) ?? 0), rowsRemoved);
    }
}
