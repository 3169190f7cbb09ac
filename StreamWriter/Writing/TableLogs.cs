using System.Diagnostics;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace StreamWriter.Writing;

/// <summary>A data file a partition wrote for a table, with its <c>add</c> action, waiting to be committed.</summary>
internal sealed record WrittenFile(AddAction Add, int Rows);

/// <summary>What one partition appends to one table in a commit: its files, and its <c>txn</c> from one last offset to the next.</summary>
internal sealed record PartitionAppend(OwnedPartition Owner, IReadOnlyList<WrittenFile> Files, TransactionAdvance Transaction);

/// <summary>One table's commit: what every partition with something new for it appends.</summary>
internal sealed record TableCommit(int TableIndex, IReadOnlyList<PartitionAppend> Appends)
{
    public LakeTable Table => LakeTables.Streamed[TableIndex];
}

/// <summary>
/// How a table's commit ended: the version it became (null: nothing was committed), the appends it holds, those of
/// partitions another writer had committed for first (left out), the error that stopped it, and the error of the
/// checkpoint the version was due (the commit stands without it).
/// </summary>
internal sealed record TableCommitOutcome(
    TableCommit Commit,
    long? Version,
    IReadOnlyList<PartitionAppend> Committed,
    IReadOnlyList<PartitionAppend> Conflicted,
    Exception? Error = null,
    Exception? CheckpointError = null);

/// <summary>
/// Where a partition stands in the lake: the newest epoch any table has a <c>txn</c> for, and for each table (in
/// <see cref="LakeTables.Streamed"/> order) the last offset of that epoch it holds, −1 for none.
/// </summary>
internal sealed record PartitionProgress(int Epoch, long[] Through)
{
    public static PartitionProgress None => new(0, [.. LakeTables.Streamed.Select(_ => -1L)]);

    /// <summary>Nothing of the partition is in any table.</summary>
    public bool IsNone => Through.All(offset => offset < 0);

    /// <summary>The first offset some table still lacks.</summary>
    public long NextOffset => Through.Min() + 1;
}

/// <summary>
/// The Delta logs of the lake's tables as one writer uses them: where each partition stands (read from the tables'
/// <c>txn</c> actions and nothing else), and commits — one per table, holding the files and the <c>txn</c> of every
/// partition with something new for it, retried on the new snapshot when another writer committed meanwhile.
/// </summary>
internal sealed class TableLogs(ILakeStorage storage, StreamWriterOptions options, string writerId)
{
    private readonly Dictionary<string, string> _operationParameters = new() { ["writer"] = writerId };

    private readonly DeltaCommitter[] _committers =
    [
        .. LakeTables.Streamed.Select(table => new DeltaCommitter(storage, table.Name, LakeDeltaTables.Definition(table, options.CheckpointInterval), options.CheckpointInterval)),
    ];

    /// <summary>Where each partition of the topic that any table has a <c>txn</c> for stands.</summary>
    public async Task<IReadOnlyDictionary<int, PartitionProgress>> ReadProgressAsync(CancellationToken cancellationToken)
    {
        var snapshots = await Task.WhenAll(_committers.Select(committer => committer.RefreshAsync(cancellationToken)));
        var versions = new Dictionary<(int Partition, int Epoch), long[]>();
        for (var table = 0; table < snapshots.Length; table++)
        {
            foreach (var (appId, version) in snapshots[table]?.Transactions ?? new Dictionary<string, long>())
            {
                if (LakeLayout.TryParseTransactionAppId(appId, options.Topic, out var partition, out var epoch))
                {
                    if (!versions.TryGetValue((partition, epoch), out var through))
                    {
                        versions[(partition, epoch)] = through = PartitionProgress.None.Through;
                    }

                    through[table] = version;
                }
            }
        }

        var progress = new Dictionary<int, PartitionProgress>();
        foreach (var ((partition, epoch), through) in versions)
        {
            if (!progress.TryGetValue(partition, out var known) || known.Epoch < epoch)
            {
                progress[partition] = new PartitionProgress(epoch, through);
            }
        }

        return progress;
    }

    /// <summary>The table's snapshot as the last <see cref="ReadProgressAsync"/> or commit left it (null before it exists).</summary>
    public DeltaSnapshot? Snapshot(LakeTable table) => _committers[LakeTables.IndexOf(table)].Snapshot;

    /// <summary>Commits to every table at once; each outcome says what its table now holds.</summary>
    public Task<TableCommitOutcome[]> CommitAsync(IReadOnlyList<TableCommit> commits, CancellationToken cancellationToken) =>
        Task.WhenAll(commits.Select(commit => CommitAsync(commit, cancellationToken)));

    private async Task<TableCommitOutcome> CommitAsync(TableCommit commit, CancellationToken cancellationToken)
    {
        using var activity = StreamWriterMetrics.Source.StartActivity($"commit {commit.Table.Name}");
        List<PartitionAppend> appends = [.. commit.Appends];
        List<PartitionAppend> conflicted = [];
        while (true)
        {
            try
            {
                var result = await _committers[commit.TableIndex].AppendAsync(
                    [.. appends.SelectMany(append => append.Files).Select(file => file.Add)],
                    [.. appends.Select(append => append.Transaction)],
                    "STREAMING UPDATE",
                    cancellationToken,
                    _operationParameters);
                activity?.SetTag("delta.version", result.Version);
                activity?.SetTag("delta.attempts", result.Attempts);
                activity?.SetTag("gamepipeline.partitions", appends.Count);
                return new TableCommitOutcome(commit, result.Version, appends, conflicted, CheckpointError: result.CheckpointError);
            }
            catch (DeltaTransactionConflictException e) when (e.AppIds.Count > 0)
            {
                // Those partitions have a new owner, which committed for them first; the rest commit without them.
                var lost = appends.Where(append => e.AppIds.Contains(append.Transaction.AppId)).ToList();
                conflicted.AddRange(lost);
                appends.RemoveAll(lost.Contains);
                if (appends.Count == 0)
                {
                    return new TableCommitOutcome(commit, null, [], conflicted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                return new TableCommitOutcome(commit, null, [], conflicted, e);
            }
        }
    }
}
