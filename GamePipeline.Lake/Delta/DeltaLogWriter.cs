using System.Text.Json;
using System.Text.Json.Serialization;
using Parquet.Serialization;

namespace GamePipeline.Lake.Delta;

/// <summary>
/// Writes a Delta table's log: commits, each published only if its version is still free, and checkpoints.
/// A commit or checkpoint is written under a temporary name in <c>_delta_log/</c> (a dot-name no reader lists as a
/// version) and then renamed to its own with put-if-absent (<see cref="ILakeStorage.TryPublishAsync"/>): a reader
/// never sees half a file, and of two committers racing for one version exactly one wins.
/// </summary>
public sealed class DeltaLogWriter(ILakeStorage storage, string table)
{
    private readonly string _log = $"{table.TrimEnd('/')}/{DeltaLogFiles.LogDirectory}";

    /// <summary>
    /// Commits <paramref name="actions"/> as version <paramref name="version"/>, <paramref name="commitInfo"/> first;
    /// false when that version exists already (another committer won it: read the new snapshot and retry).
    /// </summary>
    public async Task<bool> TryCommitAsync(long version, CommitInfoAction commitInfo, IEnumerable<DeltaAction> actions, CancellationToken cancellationToken)
    {
        using var lines = new MemoryStream();
        Write(lines, new DeltaAction { CommitInfo = commitInfo });
        foreach (var action in actions)
        {
            Write(lines, action);
        }

        return await PublishAsync(DeltaLogFiles.CommitName(version), lines.ToArray(), cancellationToken);
    }

    /// <summary>
    /// A classic checkpoint of <paramref name="snapshot"/> (protocol, metadata, each application's transaction and
    /// every live file, one action per row), then <c>_last_checkpoint</c> pointing at it. Removes are not carried:
    /// files a snapshot no longer lists are found by listing the table (vacuum).
    /// </summary>
    public async Task WriteCheckpointAsync(DeltaSnapshot snapshot, CancellationToken cancellationToken)
    {
        List<DeltaAction> rows =
        [
            new() { Protocol = snapshot.Protocol },
            new() { MetaData = snapshot.Metadata },
            .. snapshot.Transactions.Select(t => new DeltaAction { Txn = new TransactionAction { AppId = t.Key, Version = t.Value } }),
            .. snapshot.Files.Select(f => new DeltaAction
            {
                Add = new AddAction
                {
                    Path = f.Path,
                    PartitionValues = new Dictionary<string, string?>(f.PartitionValues),
                    Size = f.Size,
                    ModificationTime = f.ModificationTime,
                    DataChange = false,
                    Stats = f.Stats,
                },
            }),
        ];

        using var checkpoint = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, checkpoint, cancellationToken: cancellationToken);
        // Another writer may have checkpointed this version first: its checkpoint serves as well as ours.
        await PublishAsync(DeltaLogFiles.CheckpointName(snapshot.Version), checkpoint.ToArray(), cancellationToken);

        var hint = JsonSerializer.SerializeToUtf8Bytes(new LastCheckpointInfo(snapshot.Version, rows.Count), DeltaJsonContext.Default.LastCheckpointInfo);
        await storage.WriteAsync($"{_log}/{DeltaLogFiles.LastCheckpoint}", stream => stream.WriteAsync(hint, cancellationToken).AsTask(), cancellationToken);
    }

    private static void Write(Stream lines, DeltaAction action)
    {
        JsonSerializer.Serialize(lines, action, DeltaJsonContext.Default.DeltaAction);
        lines.WriteByte((byte)'\n');
    }

    private async Task<bool> PublishAsync(string name, byte[] content, CancellationToken cancellationToken)
    {
        var temporary = $"{_log}/.{name}.{Guid.NewGuid():N}.tmp";
        await storage.WriteAsync(temporary, stream => stream.WriteAsync(content, cancellationToken).AsTask(), cancellationToken);
        if (await storage.TryPublishAsync(temporary, $"{_log}/{name}", cancellationToken))
        {
            return true;
        }

        await storage.DeleteAsync(temporary, cancellationToken);
        return false;
    }
}

/// <summary><c>_last_checkpoint</c>: the newest checkpoint's version and its number of actions.</summary>
internal sealed record LastCheckpointInfo(
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("size")] long Size);
