namespace GamePipeline.Lake.Delta;

/// <summary>What a Delta table is created with: its schema (Delta's JSON struct type), partition columns and properties.</summary>
public sealed record DeltaTableDefinition(string SchemaString, IReadOnlyList<string> PartitionColumns, IReadOnlyDictionary<string, string> Configuration);

/// <summary>
/// An application's progress carried by a commit (a <c>txn</c> action): the version the committer read for
/// <see cref="AppId"/> (null: none yet) and the version the commit records.
/// </summary>
public sealed record TransactionAdvance(string AppId, long? From, long To);

/// <summary>The version an append was committed as, after how many attempts, and the checkpoint it wrote, if it was due one.</summary>
public sealed record DeltaAppendResult(long Version, int Attempts, bool Checkpointed, Exception? CheckpointError);

/// <summary>
/// The append was not committed: another writer committed first for the applications in <see cref="AppIds"/>
/// (empty when the table's protocol or metadata changed instead).
/// </summary>
public sealed class DeltaTransactionConflictException(string message, IReadOnlyList<string> appIds) : Exception(message)
{
    public IReadOnlyList<string> AppIds { get; } = appIds;
}

/// <summary>
/// The files a rewrite (<see cref="DeltaCommitter.ReplaceAsync"/>) read were removed by a commit after it read them
/// (another compaction, or an erasure): the rewrite was not committed and must be planned again on the new snapshot.
/// </summary>
public sealed class DeltaFilesConflictException(string message, IReadOnlyList<string> paths) : Exception(message)
{
    public IReadOnlyList<string> Paths { get; } = paths;
}

/// <summary>
/// Commits to a Delta table: blind appends of data files with the <c>txn</c> versions that make a streaming
/// writer's appends exactly once (creating the table with its first append), and rewrites that replace files by
/// others holding the same rows (compaction). Optimistic, as the protocol prescribes: each attempt writes the
/// version after the newest it knows; when another writer took that version, the committer reads the commits it
/// missed and tries the next one, unless one of them conflicts — it changed the table's protocol or metadata, it
/// advanced a transaction this append advances (two writers for one partition: the later one must not commit what
/// the other has), or it removed a file this rewrite replaces. A checkpoint is written every
/// <paramref name="checkpointInterval"/> versions. One commit at a time per committer.
/// </summary>
public sealed class DeltaCommitter(ILakeStorage storage, string table, DeltaTableDefinition definition, int checkpointInterval = 10)
{
    /// <summary>
    /// The protocol our tables are created with: reader and writer version 1, the lowest there is. The tables use
    /// only what version 1 defines — add, remove, metaData, protocol, txn and commitInfo actions, partition columns,
    /// per-file statistics — and no table feature (no column mapping, deletion vectors, invariants, CHECK
    /// constraints, change data feed, identity columns or timestamp without time zone), so every Delta reader and
    /// writer can open them.
    /// </summary>
    public static readonly ProtocolAction Protocol = new() { MinReaderVersion = 1, MinWriterVersion = 1 };

    private const string EngineInfo = "GamePipeline";
    private readonly DeltaLog _log = new(storage, table);
    private readonly DeltaLogWriter _writer = new(storage, table);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private DeltaSnapshot? _snapshot;

    /// <summary>Conflicts retried in a row before an append gives up (a table under extreme contention).</summary>
    public int MaxAttempts { get; init; } = 100;

    /// <summary>The newest snapshot this committer knows (refreshed on every commit), null before the table exists.</summary>
    public DeltaSnapshot? Snapshot => _snapshot;

    /// <summary>The table's latest snapshot (read incrementally from the last one), null before the table exists.</summary>
    public async Task<DeltaSnapshot?> RefreshAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return _snapshot = await CurrentAsync(cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// Creates the table (version 0: protocol and metadata, no files) unless it exists; a writer creating it at the
    /// same moment wins or loses the race for version 0, and either way the table then exists. Returns its snapshot.
    /// </summary>
    public async Task<DeltaSnapshot> EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            _snapshot = await CurrentAsync(cancellationToken);
            if (_snapshot is null)
            {
                await _writer.TryCommitAsync(0, CommitInfo(null, "CREATE TABLE", null, isBlindAppend: true, []), Actions(0, [], []), cancellationToken);
                _snapshot = await CurrentAsync(cancellationToken);
            }
        }
        finally
        {
            _oneAtATime.Release();
        }

        if (_snapshot is { } existing && Evolved(existing) is not null)
        {
            // An append of nothing carries the new metadata, as any append to the table would.
            await AppendAsync([], [], "ADD COLUMNS", cancellationToken);
        }

        return _snapshot ?? throw new IOException($"{table}: version 0 was committed but cannot be read back");
    }

    /// <summary>
    /// The metadata that gives the table the columns the definition adds (nullable ones, named in its
    /// <see cref="LakeDeltaTables.ColumnsAddedLater"/> property), or null when it has them. A table whose schema has a
    /// column the definition lacks, or of another type, is not this definition's to change.
    /// </summary>
    private MetadataAction? Evolved(DeltaSnapshot current)
    {
        var wanted = DeltaSchema.Columns(definition.SchemaString);
        var added = wanted.Where(w => current.Columns.All(c => c.Name != w.Name)).ToList();
        if (added.Count == 0)
        {
            return null;
        }

        if (current.Columns.Any(c => !wanted.Any(w => w.Name == c.Name && w.Type == c.Type)) || added.Any(c => !c.Nullable))
        {
            throw new InvalidOperationException(
                $"{table}: its schema differs from this writer's by more than added nullable columns; a writer adds columns, it never changes or drops one");
        }

        var configuration = new Dictionary<string, string?>(current.Metadata.Configuration ?? []);
        foreach (var (key, value) in definition.Configuration)
        {
            configuration[key] = value;
        }

        return new MetadataAction
        {
            Id = current.Metadata.Id,
            Name = current.Metadata.Name,
            Description = current.Metadata.Description,
            SchemaString = definition.SchemaString,
            PartitionColumns = [.. current.PartitionColumns],
            Configuration = configuration,
            CreatedTime = current.Metadata.CreatedTime,
        };
    }

    /// <summary>
    /// Replaces <paramref name="removed"/> by <paramref name="added"/>: one commit of their <c>remove</c>s and
    /// <c>add</c>s. A rewrite that keeps the same rows (compaction) has <paramref name="dataChange"/> false, so streaming
    /// readers of the table skip it; one that drops rows (an erasure) has it true. Appends committed meanwhile do not
    /// conflict with it (they add other files); a commit that removed any of <paramref name="removed"/> does
    /// (<see cref="DeltaFilesConflictException"/>), as does a changed protocol or metadata.
    /// </summary>
    public Task<DeltaAppendResult> ReplaceAsync(
        IReadOnlyList<DeltaFile> removed,
        IReadOnlyList<AddAction> added,
        string operation,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? operationParameters = null,
        bool dataChange = false) =>
        CommitAsync((basis, current, version) =>
        {
            if (basis is null || current is null)
            {
                throw new DeltaTableException(DeltaReadFailure.NotATable, $"{table} does not exist: nothing to rewrite");
            }

            EnsureNoConflict(basis, current, []);
            var gone = removed.Where(f => !current.FilesByPath.ContainsKey(f.Path)).Select(f => f.Path).ToList();
            if (gone.Count > 0)
            {
                throw new DeltaFilesConflictException($"{table}: {gone.Count} of the {removed.Count} files to rewrite were removed by another commit after version {basis.Version}", gone);
            }

            var commitInfo = CommitInfo(current, operation, operationParameters, isBlindAppend: false, new()
            {
                ["numRemovedFiles"] = Number(removed.Count),
                ["numRemovedRows"] = Number(removed.Sum(f => f.RecordsInStats() ?? 0)),
                ["numAddedFiles"] = Number(added.Count),
            });
            IEnumerable<DeltaAction> actions =
            [
                .. removed.Select(f => new DeltaAction
                {
                    Remove = new RemoveAction
                    {
                        Path = f.Path, DeletionTimestamp = commitInfo.Timestamp, DataChange = dataChange, ExtendedFileMetadata = true,
                        PartitionValues = new Dictionary<string, string?>(f.PartitionValues), Size = f.Size,
                    },
                }),
                .. added.Select(f => new DeltaAction { Add = f }),
            ];
            return (commitInfo, actions);
        }, cancellationToken);

    /// <param name="operationParameters">Recorded in the commit's <c>commitInfo</c> (e.g. which writer committed).</param>
    public Task<DeltaAppendResult> AppendAsync(
        IReadOnlyList<AddAction> files,
        IReadOnlyList<TransactionAdvance> transactions,
        string operation,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? operationParameters = null) =>
        CommitAsync((basis, current, version) =>
        {
            EnsureNoConflict(basis, current, transactions);
            var evolved = current is null ? null : Evolved(current);
            var commitInfo = CommitInfo(current, current is null ? "CREATE TABLE" : operation, operationParameters, isBlindAppend: evolved is null, new() { ["numFiles"] = Number(files.Count) });
            return (commitInfo, Actions(version, files, transactions, evolved));
        }, cancellationToken);

    /// <summary>
    /// The optimistic loop of every commit: <paramref name="plan"/> checks the commits made since the snapshot the
    /// commit was planned on (the basis; it throws on a conflict) and gives the commit for the next version; when
    /// another writer took that version, the versions missed are read and the next one is tried.
    /// </summary>
    private async Task<DeltaAppendResult> CommitAsync(
        CommitPlan plan,
        CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            _snapshot = await CurrentAsync(cancellationToken);
            var basis = _snapshot;
            for (var attempt = 1; ; attempt++)
            {
                var version = _snapshot is null ? 0 : _snapshot.Version + 1;
                var (commitInfo, actions) = plan(basis, _snapshot, version);
                if (await _writer.TryCommitAsync(version, commitInfo, actions, cancellationToken))
                {
                    _snapshot = await CurrentAsync(cancellationToken);
                    return await CheckpointIfDueAsync(version, attempt, cancellationToken);
                }

                if (attempt >= MaxAttempts)
                {
                    throw new IOException($"{table}: gave up after {attempt} attempts; other writers took every version meanwhile");
                }

                _snapshot = await CurrentAsync(cancellationToken);
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>The commit for <paramref name="version"/>, planned on <paramref name="basis"/> and checked against <paramref name="current"/>.</summary>
    private delegate (CommitInfoAction Info, IEnumerable<DeltaAction> Actions) CommitPlan(DeltaSnapshot? basis, DeltaSnapshot? current, long version);

    private static CommitInfoAction CommitInfo(DeltaSnapshot? current, string operation, IReadOnlyDictionary<string, string>? parameters, bool isBlindAppend, Dictionary<string, string> metrics) => new()
    {
        Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        Operation = operation,
        OperationParameters = parameters?.ToDictionary(),
        ReadVersion = current?.Version,
        IsBlindAppend = isBlindAppend,
        EngineInfo = EngineInfo,
        TxnId = Guid.NewGuid().ToString(),
        OperationMetrics = metrics,
    };

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<DeltaSnapshot?> CurrentAsync(CancellationToken cancellationToken)
    {
        try
        {
            return _snapshot is null ? await _log.ReadAsync(cancellationToken: cancellationToken) : await _log.RefreshAsync(_snapshot, cancellationToken);
        }
        catch (DeltaTableException e) when (e.Failure == DeltaReadFailure.NotATable)
        {
            return null;
        }
    }

    private IEnumerable<DeltaAction> Actions(long version, IReadOnlyList<AddAction> files, IReadOnlyList<TransactionAdvance> transactions, MetadataAction? evolved = null)
    {
        if (evolved is not null)
        {
            yield return new DeltaAction { MetaData = evolved };
        }

        if (version == 0)
        {
            yield return new DeltaAction { Protocol = Protocol };
            yield return new DeltaAction
            {
                MetaData = new MetadataAction
                {
                    Id = Guid.NewGuid().ToString(),
                    SchemaString = definition.SchemaString,
                    PartitionColumns = [.. definition.PartitionColumns],
                    Configuration = definition.Configuration.ToDictionary(p => p.Key, p => (string?)p.Value),
                    CreatedTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                },
            };
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var transaction in transactions)
        {
            yield return new DeltaAction { Txn = new TransactionAction { AppId = transaction.AppId, Version = transaction.To, LastUpdated = now } };
        }

        foreach (var file in files)
        {
            yield return new DeltaAction { Add = file };
        }
    }

    /// <summary>
    /// Whether the commits since <paramref name="basis"/> leave a blind append valid: the same protocol and metadata,
    /// and every transaction this append advances still where the append read it.
    /// </summary>
    private void EnsureNoConflict(DeltaSnapshot? basis, DeltaSnapshot? current, IReadOnlyList<TransactionAdvance> transactions)
    {
        if (basis is not null && current is not null && current.Version != basis.Version && !SameTable(basis, current))
        {
            throw new DeltaTransactionConflictException($"{table}: the table's protocol or metadata changed at a version after {basis.Version}; the append must be planned again", []);
        }

        var conflicts = transactions.Where(t => TransactionVersion(current, t.AppId) != t.From).ToList();
        if (conflicts.Count > 0)
        {
            throw new DeltaTransactionConflictException(
                $"{table}: another writer committed for {string.Join(", ", conflicts.Select(t => $"{t.AppId} (now at {Describe(TransactionVersion(current, t.AppId))}, read at {Describe(t.From)})"))}",
                [.. conflicts.Select(t => t.AppId)]);
        }
    }

    private static long? TransactionVersion(DeltaSnapshot? snapshot, string appId) =>
        snapshot is not null && snapshot.Transactions.TryGetValue(appId, out var version) ? version : null;

    private static string Describe(long? version) => version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";

    private static bool SameTable(DeltaSnapshot a, DeltaSnapshot b) =>
        a.Metadata.Id == b.Metadata.Id
        && a.Metadata.SchemaString == b.Metadata.SchemaString
        && a.PartitionColumns.SequenceEqual(b.PartitionColumns)
        && a.Protocol.MinReaderVersion == b.Protocol.MinReaderVersion
        && a.Protocol.MinWriterVersion == b.Protocol.MinWriterVersion;

    private async Task<DeltaAppendResult> CheckpointIfDueAsync(long version, int attempts, CancellationToken cancellationToken)
    {
        if (version == 0 || version % checkpointInterval != 0 || _snapshot is null)
        {
            return new DeltaAppendResult(version, attempts, false, null);
        }

        try
        {
            await _writer.WriteCheckpointAsync(version == _snapshot.Version ? _snapshot : await _log.ReadAsync(version, cancellationToken), cancellationToken);
            return new DeltaAppendResult(version, attempts, true, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The commit stands; a missing checkpoint only makes readers replay more of the log.
            return new DeltaAppendResult(version, attempts, false, e);
        }
    }
}
