using System.Text.Json;
using GamePipeline.Lake;

namespace StreamWriter.Writing;

/// <summary>Where a partition resumes, as recorded in the lake.</summary>
public sealed record PartitionCheckpoint(int Epoch, long NextOffset, CommitManifest? Last);

/// <summary>
/// The per-partition commit log that makes the lake exactly once. A batch is committed when its manifest is
/// published (an atomic, non-overwriting rename); its data files, staged before, are moved into the tables
/// after. Recovery reads the newest manifest, finishes moving its files (roll forward), and drops staged
/// files that no manifest names (a batch that never committed).
/// </summary>
public sealed class CommitLog(ILakeStorage storage, string topic)
{
    /// <summary>Manifests kept per partition beyond the newest (older ones only cost listing time).</summary>
    public const int RetainedManifests = 200;

    public static readonly TimeSpan StaleStagingAge = TimeSpan.FromMinutes(5);

    public async Task<PartitionCheckpoint> RecoverAsync(int partition, CancellationToken cancellationToken)
    {
        var last = await LatestAsync(partition, cancellationToken);
        if (last is not null)
        {
            await RollForwardAsync(last, cancellationToken);
        }

        // Staged files no manifest names belong to a batch that never committed. Only old ones are removed:
        // a writer that lost this partition moments ago may still be about to commit (it would then lose the
        // race for the manifest name, or win it with its files intact).
        var referenced = last?.Files.Select(f => f.Staged).ToHashSet() ?? [];
        var stagingDirectory = LakeLayout.StagingDirectory(topic, partition);
        var staleBefore = DateTimeOffset.UtcNow - StaleStagingAge;
        foreach (var name in await storage.ListAsync(stagingDirectory, cancellationToken))
        {
            var staged = $"{stagingDirectory}/{name}";
            if (!referenced.Contains(staged) && LakeLayout.StagedAt(name) < staleBefore)
            {
                await storage.DeleteAsync(staged, cancellationToken);
            }
        }

        return last is null ? new PartitionCheckpoint(0, 0, null) : new PartitionCheckpoint(last.Epoch, last.NextOffset, last);
    }

    /// <summary>Publishes the manifest; false when another writer already committed a batch starting at the same offset.</summary>
    public async Task<bool> TryCommitAsync(CommitManifest manifest, CancellationToken cancellationToken)
    {
        var directory = LakeLayout.CommitDirectory(topic, manifest.Partition);
        var name = LakeLayout.ManifestName(manifest.Epoch, manifest.FirstOffset);
        var pending = LakeLayout.StagedFile(topic, manifest.Partition, ".manifest");
        await storage.WriteAsync(pending, stream => JsonSerializer.SerializeAsync(stream, manifest, CommitJsonContext.Default.CommitManifest, cancellationToken), cancellationToken);
        if (!await storage.TryPublishAsync(pending, $"{directory}/{name}", cancellationToken))
        {
            await storage.DeleteAsync(pending, cancellationToken);
            return false;
        }

        await RollForwardAsync(manifest, cancellationToken);
        return true;
    }

    /// <summary>Moves a committed batch's staged files into their tables (idempotent).</summary>
    public async Task RollForwardAsync(CommitManifest manifest, CancellationToken cancellationToken)
    {
        foreach (var file in manifest.Files)
        {
            if (await storage.ExistsAsync(file.Staged, cancellationToken))
            {
                await storage.TryPublishAsync(file.Staged, file.Path, cancellationToken);
            }
        }
    }

    public async Task PruneAsync(int partition, CancellationToken cancellationToken)
    {
        var directory = LakeLayout.CommitDirectory(topic, partition);
        var names = (await storage.ListAsync(directory, cancellationToken)).Where(IsManifest).Order(StringComparer.Ordinal).ToList();
        foreach (var name in names.Take(Math.Max(0, names.Count - RetainedManifests)))
        {
            await storage.DeleteAsync($"{directory}/{name}", cancellationToken);
        }
    }

    private async Task<CommitManifest?> LatestAsync(int partition, CancellationToken cancellationToken)
    {
        var directory = LakeLayout.CommitDirectory(topic, partition);
        var newest = (await storage.ListAsync(directory, cancellationToken)).Where(IsManifest).Max(StringComparer.Ordinal);
        if (newest is null)
        {
            return null;
        }

        var bytes = await storage.ReadAsync($"{directory}/{newest}", cancellationToken)
            ?? throw new InvalidOperationException($"Manifest {directory}/{newest} vanished while recovering");
        return JsonSerializer.Deserialize(bytes, CommitJsonContext.Default.CommitManifest)
            ?? throw new InvalidOperationException($"Manifest {directory}/{newest} is empty");
    }

    private static bool IsManifest(string name) => name.StartsWith('e') && name.EndsWith(".json", StringComparison.Ordinal);
}
