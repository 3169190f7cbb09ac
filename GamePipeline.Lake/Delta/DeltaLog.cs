using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GamePipeline.Lake.Delta;

/// <summary>
/// Reads a Delta table's log (PROTOCOL.md) from any lake storage: the snapshot at the latest version or at a given
/// one, from the newest complete checkpoint at or before it (classic or multi-part) and the commits after it; and
/// a snapshot brought up to date by reading only the commits newer than it. The log is listed, so
/// <c>_last_checkpoint</c>, a hint for logs too long to list, is not needed and a corrupt one does no harm.
/// </summary>
/// <param name="table">The table's root in <paramref name="storage"/> (the folder that holds <c>_delta_log/</c>).</param>
public sealed class DeltaLog(ILakeStorage storage, string table)
{
    /// <summary>The highest reader protocol version this reader implements (table features).</summary>
    public const int MaxReaderVersion = 3;

    /// <summary>
    /// Reader features this reader honours: it reads no data itself, and the features below change nothing a
    /// snapshot holds (timestamp without time zone is a column type; the vacuum check binds writers of vacuum).
    /// </summary>
    public static readonly IReadOnlySet<string> SupportedReaderFeatures = new HashSet<string>(StringComparer.Ordinal) { "timestampNtz", "vacuumProtocolCheck" };

    private readonly string _log = $"{table.TrimEnd('/')}/{DeltaLogFiles.LogDirectory}";

    public string Table { get; } = table.TrimEnd('/');

    /// <summary>The snapshot at <paramref name="version"/>, or at the latest version when it is null.</summary>
    public async Task<DeltaSnapshot> ReadAsync(long? version = null, CancellationToken cancellationToken = default)
    {
        var listing = await ListAsync(cancellationToken);
        var latest = listing.Latest ?? throw new DeltaTableException(DeltaReadFailure.NotATable, $"{Table} is not a Delta table: {_log}/ holds no commit or checkpoint");
        var target = version ?? latest;
        if (target < 0 || target > latest)
        {
            throw new DeltaTableException(DeltaReadFailure.MissingVersion, $"{Table} has no version {target}: its versions end at {latest}");
        }

        var checkpoint = listing.CheckpointAtOrBefore(target);
        var state = new Replay();
        if (checkpoint is { } at)
        {
            await state.ApplyCheckpointAsync(storage, _log, listing.Checkpoints[at], cancellationToken);
        }
        else if (listing.Commits.Count == 0 || listing.Commits.Min > 0)
        {
            throw new DeltaTableException(DeltaReadFailure.MissingVersion,
                $"{Table} cannot be read at version {target}: the log starts at version {(listing.Commits.Count > 0 ? listing.Commits.Min : latest)} and holds no checkpoint at or before it");
        }

        await state.ApplyCommitsAsync(this, listing, (checkpoint ?? -1) + 1, target, cancellationToken);
        return state.ToSnapshot(Table, target);
    }

    /// <summary>
    /// The snapshot as it was at <paramref name="timestamp"/>: the newest version committed at or before it. A
    /// commit's time is its log file's modification time (the protocol's rule without in-commit timestamps), made
    /// to increase with the version (a commit whose file is older than its predecessor's counts as one millisecond
    /// after it). A time before the oldest version the log holds, or in the future, is a missing version.
    /// </summary>
    public async Task<DeltaSnapshot> ReadAsOfAsync(DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        var times = await CommitTimesAsync(cancellationToken);
        if (times.Count == 0)
        {
            throw new DeltaTableException(DeltaReadFailure.NotATable, $"{Table} is not a Delta table: {_log}/ holds no commit");
        }

        if (timestamp > DateTimeOffset.UtcNow)
        {
            throw new DeltaTableException(DeltaReadFailure.MissingVersion, $"{Table} has no version at {timestamp:O}: that is in the future");
        }

        var (earliest, earliestTime) = times[0];
        if (timestamp < earliestTime)
        {
            throw new DeltaTableException(DeltaReadFailure.MissingVersion,
                $"{Table} has no version at or before {timestamp:O}: the oldest it holds, version {earliest}, was committed at {earliestTime:O}");
        }

        return await ReadAsync(times.Last(t => t.Time <= timestamp).Version, cancellationToken);
    }

    /// <summary>Each commit's version and time, in version order (see <see cref="ReadAsOfAsync"/>).</summary>
    public async Task<IReadOnlyList<(long Version, DateTimeOffset Time)>> CommitTimesAsync(CancellationToken cancellationToken = default)
    {
        var files = await storage.ListFilesAsync(_log, cancellationToken);
        var commits = DeltaLogFiles.Parse(files.Select(f => f.Name)).Commits;
        var modified = files.ToDictionary(f => f.Name, f => f.ModifiedAt, StringComparer.Ordinal);
        var times = new List<(long Version, DateTimeOffset Time)>();
        foreach (var version in commits)
        {
            var time = modified[DeltaLogFiles.CommitName(version)];
            if (times.Count > 0 && time <= times[^1].Time)
            {
                time = times[^1].Time.AddMilliseconds(1);
            }

            times.Add((version, time));
        }

        return times;
    }

    /// <summary>
    /// <paramref name="snapshot"/> brought up to the latest version by reading only the commits after it, by name
    /// (version + 1, + 2, … until one is absent): no listing, so a refresh costs one read when nothing is new,
    /// however long the log. A snapshot older than the log's retention (its next commits cleaned up) is not brought
    /// up to date this way; read the table again.
    /// </summary>
    public async Task<DeltaSnapshot> RefreshAsync(DeltaSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        var state = default(Replay);
        var version = snapshot.Version;
        while (await ReadCommitAsync(version + 1, cancellationToken) is { } actions)
        {
            state ??= new Replay(snapshot);
            version++;
            state.Apply(actions, $"{Table} version {version}");
        }

        return state is null ? snapshot : state.ToSnapshot(Table, version);
    }

    /// <summary>The log's commits and checkpoints, by version.</summary>
    public async Task<LogListing> ListAsync(CancellationToken cancellationToken) =>
        DeltaLogFiles.Parse(await storage.ListAsync(_log, cancellationToken));

    /// <summary>A commit's actions, or null when no file holds that version.</summary>
    public async Task<IReadOnlyList<DeltaAction>?> ReadCommitAsync(long version, CancellationToken cancellationToken = default)
    {
        var bytes = await storage.ReadAsync($"{_log}/{DeltaLogFiles.CommitName(version)}", cancellationToken);
        if (bytes is null)
        {
            return null;
        }

        var actions = new List<DeltaAction>();
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                actions.Add(JsonSerializer.Deserialize(line, DeltaJsonContext.Default.DeltaAction)!);
            }
            catch (JsonException e)
            {
                throw new DeltaTableException(DeltaReadFailure.CorruptLog, $"{Table}: commit {version} holds a line that is not a JSON action ({e.Message})", e);
            }
        }

        return actions;
    }

    /// <summary>Log replay (PROTOCOL.md, "Action Reconciliation"): the latest protocol, metadata and txn per app win; a remove cancels the add of its path.</summary>
    private sealed class Replay
    {
        private readonly ImmutableDictionary<string, DeltaFile>.Builder _files;
        private readonly ImmutableDictionary<string, long>.Builder _transactions;
        private ProtocolAction? _protocol;
        private MetadataAction? _metadata;

        public Replay()
        {
            _files = ImmutableDictionary.CreateBuilder<string, DeltaFile>(StringComparer.Ordinal);
            _transactions = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        }

        public Replay(DeltaSnapshot from)
        {
            _files = from.FilesByPath.ToBuilder();
            _transactions = ((ImmutableDictionary<string, long>)from.Transactions).ToBuilder();
            _protocol = from.Protocol;
            _metadata = from.Metadata;
        }

        public async Task ApplyCheckpointAsync(ILakeStorage storage, string log, IReadOnlyList<string> parts, CancellationToken cancellationToken)
        {
            foreach (var part in parts)
            {
                var path = $"{log}/{part}";
                var bytes = await storage.ReadAsync(path, cancellationToken)
                    ?? throw new DeltaTableException(DeltaReadFailure.MissingVersion, $"checkpoint part {path} disappeared while it was read");
                using var stream = new MemoryStream(bytes, writable: false);
                foreach (var row in await CheckpointRows.ReadAsync(stream, cancellationToken))
                {
                    // A checkpoint's removes are tombstones kept for vacuum: the files they name are already gone.
                    if (row.Remove is null)
                    {
                        Apply(row, log);
                    }
                }
            }
        }

        public async Task ApplyCommitsAsync(DeltaLog deltaLog, LogListing listing, long from, long to, CancellationToken cancellationToken)
        {
            for (var version = from; version <= to; version++)
            {
                // A listing taken while files are added may miss one added meanwhile (readdir promises nothing about
                // entries added during it): a version the listing lacks is read by name before it counts as missing.
                var actions = await deltaLog.ReadCommitAsync(version, cancellationToken)
                    ?? throw new DeltaTableException(DeltaReadFailure.MissingVersion,
                        $"{deltaLog.Table}: version {version} is missing from the log (versions must be contiguous; the latest is {listing.Latest})");
                Apply(actions, $"{deltaLog.Table} version {version}");
            }
        }

        public void Apply(IReadOnlyList<DeltaAction> actions, string where)
        {
            foreach (var action in actions)
            {
                Apply(action, where);
            }
        }

        private void Apply(DeltaAction action, string where)
        {
            if (action.Add is { } add)
            {
                if (add.DeletionVector is not null)
                {
                    throw new DeltaTableException(DeltaReadFailure.UnsupportedProtocol, $"{where}: {add.Path} has a deletion vector, which this reader does not apply");
                }

                var path = add.Path ?? throw new DeltaTableException(DeltaReadFailure.CorruptLog, $"{where}: an add action without a path");
                _files[path] = new DeltaFile(path, add.PartitionValues ?? [], add.Size ?? 0, add.ModificationTime ?? 0, add.Stats);
            }
            else if (action.Remove is { Path: { } removed })
            {
                _files.Remove(removed);
            }
            else if (action.Txn is { AppId: { } appId, Version: { } version })
            {
                _transactions[appId] = version;
            }
            else if (action.MetaData is { } metadata)
            {
                _metadata = metadata;
            }
            else if (action.Protocol is { } protocol)
            {
                _protocol = protocol;
            }
        }

        public DeltaSnapshot ToSnapshot(string table, long version)
        {
            var protocol = _protocol ?? throw new DeltaTableException(DeltaReadFailure.CorruptLog, $"{table} has no protocol action up to version {version}");
            var metadata = _metadata ?? throw new DeltaTableException(DeltaReadFailure.CorruptLog, $"{table} has no metaData action up to version {version}");
            EnsureSupported(table, protocol, metadata);
            return new DeltaSnapshot(table, version, protocol, metadata, _files.ToImmutable(), _transactions.ToImmutable());
        }

        private static void EnsureSupported(string table, ProtocolAction protocol, MetadataAction metadata)
        {
            var readerVersion = protocol.MinReaderVersion ?? 1;
            if (readerVersion > MaxReaderVersion)
            {
                throw new DeltaTableException(DeltaReadFailure.UnsupportedProtocol,
                    $"{table} needs Delta reader version {readerVersion}; this reader implements versions 1 to {MaxReaderVersion}");
            }

            var unsupported = (protocol.ReaderFeatures ?? []).Where(f => !SupportedReaderFeatures.Contains(f) && !IsInactiveColumnMapping(f, metadata)).ToList();
            if (readerVersion == MaxReaderVersion && unsupported.Count > 0)
            {
                throw new DeltaTableException(DeltaReadFailure.UnsupportedProtocol,
                    $"{table} needs reader features this reader does not implement: {string.Join(", ", unsupported)}");
            }

            // Reader version 2 means column mapping; its mode says whether it is in use.
            if (readerVersion >= 2 && !IsInactiveColumnMapping("columnMapping", metadata))
            {
                throw new DeltaTableException(DeltaReadFailure.UnsupportedProtocol,
                    $"{table} maps its columns by {metadata.Configuration!["delta.columnMapping.mode"]}, which this reader does not implement");
            }
        }

        private static bool IsInactiveColumnMapping(string feature, MetadataAction metadata) =>
            feature == "columnMapping"
            && (metadata.Configuration?.GetValueOrDefault("delta.columnMapping.mode") is null or "none");
    }
}

/// <summary>Actions as one JSON line each, absent fields left out (as Spark writes them).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeltaAction))]
[JsonSerializable(typeof(LastCheckpointInfo))]
internal sealed partial class DeltaJsonContext : JsonSerializerContext;
