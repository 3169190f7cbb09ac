using GamePipeline.Lake.Delta;

namespace LakeMaintenance;

/// <summary>Files of one date partition to merge into one file.</summary>
public sealed record CompactionBin(string PartitionValue, IReadOnlyList<DeltaFile> Files)
{
    public long Bytes => Files.Sum(f => f.Size);

    public long Rows => Files.Sum(f => f.RecordsInStats() ?? 0);
}

/// <summary>What compaction aims at; see <see cref="LakeMaintenanceOptions"/>.</summary>
public sealed record CompactionPolicy(long TargetFileBytes, long TargetFileRows, int FilesPerTier, TimeSpan QuietPeriod)
{
    /// <summary>The smallest size tier holds files under this size.</summary>
    public const long FirstTierBytes = 1024 * 1024;

    public static CompactionPolicy From(LakeMaintenanceOptions options) =>
        new(options.TargetFileBytes, options.TargetFileRows, options.FilesPerTier, options.QuietPeriod);

    /// <summary>A file this close to the target is done: merging it would only move bytes.</summary>
    public bool IsSmall(DeltaFile file) =>
        file.Size < TargetFileBytes * 3 / 4 && (file.RecordsInStats() ?? 0) < TargetFileRows * 3 / 4;

    /// <summary>0 for files under <see cref="FirstTierBytes"/>, then one tier per factor of <see cref="FilesPerTier"/>.</summary>
    public int Tier(DeltaFile file) =>
        file.Size < FirstTierBytes ? 0 : 1 + (int)Math.Floor(Math.Log((double)file.Size / FirstTierBytes, FilesPerTier));
}

/// <summary>
/// Chooses what to compact in one table, per date partition (pure: the snapshot's files and the time in, bins out).
/// While a partition is written, the small files of a size tier are merged once the tier holds
/// <see cref="CompactionPolicy.FilesPerTier"/> of them — merged files climb a tier, so each byte is rewritten about
/// once per tier. Once the partition has been quiet for <see cref="CompactionPolicy.QuietPeriod"/>, all its small
/// files are merged. Either way the files are packed, oldest first, into bins of up to the target size and rows.
/// </summary>
public static class CompactionPlanner
{
    public static IReadOnlyList<CompactionBin> Plan(IEnumerable<DeltaFile> files, string partitionColumn, DateTimeOffset now, CompactionPolicy policy)
    {
        var bins = new List<CompactionBin>();
        foreach (var partition in files.GroupBy(f => f.PartitionValues.GetValueOrDefault(partitionColumn) ?? ""))
        {
            var newest = DateTimeOffset.FromUnixTimeMilliseconds(partition.Max(f => f.ModificationTime));
            var small = partition.Where(policy.IsSmall).ToList();
            var candidates = now - newest >= policy.QuietPeriod
                ? small
                : small.GroupBy(policy.Tier).Where(tier => tier.Count() >= policy.FilesPerTier).OrderBy(tier => tier.Key).FirstOrDefault()?.ToList() ?? [];
            bins.AddRange(Pack(partition.Key, candidates, policy));
        }

        return bins;
    }

    private static IEnumerable<CompactionBin> Pack(string partitionValue, List<DeltaFile> candidates, CompactionPolicy policy)
    {
        var bin = new List<DeltaFile>();
        long bytes = 0, rows = 0;
        foreach (var file in candidates.OrderBy(f => f.ModificationTime).ThenBy(f => f.Path, StringComparer.Ordinal))
        {
            var fileRows = file.RecordsInStats() ?? 0;
            if (bin.Count > 0 && (bytes + file.Size > policy.TargetFileBytes || rows + fileRows > policy.TargetFileRows))
            {
                if (bin.Count > 1)
                {
                    yield return new CompactionBin(partitionValue, bin);
                }

                (bin, bytes, rows) = ([], 0, 0);
            }

            bin.Add(file);
            bytes += file.Size;
            rows += fileRows;
        }

        if (bin.Count > 1)
        {
            yield return new CompactionBin(partitionValue, bin);
        }
    }
}
