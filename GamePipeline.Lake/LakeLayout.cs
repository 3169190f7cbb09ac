using System.Globalization;
using GamePipeline.Contracts;

namespace GamePipeline.Lake;

/// <summary>
/// The lake's layout, which its writer and its readers share: one Delta table per lake table,
/// <c>{table}/_delta_log/</c> and Parquet data files in <c>{table}/dt=YYYY-MM-DD/</c>. A data file is part of a
/// table only once a commit in the log adds it; readers read the files a snapshot lists, never a folder.
/// </summary>
public static class LakeLayout
{
    /// <summary>
    /// Where the lake layout before Delta tables kept partition 0's commit manifests (<c>_commits/{topic}/p0000/</c>,
    /// beside <c>_staging/</c> for files not yet committed). A lake holding them is refused at start-up.
    /// </summary>
    public static string LegacyCommitFolder(string topic) => $"_commits/{topic}/p0000";

    /// <summary>A table's date partition: the Hive-style folder <c>dt=YYYY-MM-DD</c> (<see cref="LakeTables.PartitionColumn"/>).</summary>
    public static string PartitionFolder(DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"{LakeTables.PartitionColumn}={PartitionValue(date)}");

    /// <summary>The value of <c>dt</c> as the Delta log serializes a date partition value.</summary>
    public static string PartitionValue(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// A new data file's path, relative to its table: named by the Kafka range it holds (for people) and a unique
    /// suffix, so that two writers that both wrote a range (one of them about to lose its commit) never share a file.
    /// </summary>
    public static string DataFile(DateOnly date, string topic, int partition, int epoch, long firstOffset, long lastOffset) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{PartitionFolder(date)}/part-{topic}-p{partition:D4}-e{epoch:D4}-{firstOffset:D19}-{lastOffset:D19}-{Guid.NewGuid():N}.parquet");

    /// <summary>A file compaction writes into a date partition (its partition folder's <c>dt</c> value), relative to its table.</summary>
    public static string CompactedDataFile(string partitionValue) => WrittenDataFile(partitionValue, "compacted");

    /// <summary>A data file written by <paramref name="kind"/> (<c>compacted</c>, <c>erased</c>, <c>audit</c>), in the date partition.</summary>
    public static string WrittenDataFile(string partitionValue, string kind) =>
        $"{LakeTables.PartitionColumn}={partitionValue}/part-{kind}-{Guid.NewGuid():N}.parquet";

    /// <summary>
    /// Whether a file name is one this project's writers give data files (<see cref="DataFile"/>, <see cref="CompactedDataFile"/>):
    /// <c>part-…-{32 hex digits}.parquet</c>. Vacuum deletes unreferenced files only by such names; others are foreign.
    /// </summary>
    public static bool IsOwnDataFileName(string name)
    {
        const string suffix = ".parquet";
        const int guidLength = 32;
        if (!name.StartsWith("part-", StringComparison.Ordinal) || !name.EndsWith(suffix, StringComparison.Ordinal) || name.Length < 5 + guidLength + 1 + suffix.Length)
        {
            return false;
        }

        var guid = name.AsSpan(name.Length - suffix.Length - guidLength, guidLength);
        return name[name.Length - suffix.Length - guidLength - 1] == '-' && guid.IndexOfAnyExcept("0123456789abcdef") < 0;
    }

    /// <summary>
    /// The Delta <c>txn</c> application id of one Kafka topic-partition in one epoch (a new epoch starts when Kafka's
    /// offsets start over, e.g. an embedded Kafka restarted empty); its version is the last offset committed.
    /// </summary>
    public static string TransactionAppId(string topic, int partition, int epoch) =>
        string.Create(CultureInfo.InvariantCulture, $"{topic}-p{partition}-e{epoch}");

    /// <summary>Reads a <see cref="TransactionAppId"/> back; false for another topic's or application's.</summary>
    public static bool TryParseTransactionAppId(string appId, string topic, out int partition, out int epoch)
    {
        partition = epoch = -1;
        if (!appId.StartsWith(topic + "-p", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = appId.AsSpan(topic.Length + 2);
        var split = rest.IndexOf("-e", StringComparison.Ordinal);
        return split > 0
            && int.TryParse(rest[..split], NumberStyles.None, CultureInfo.InvariantCulture, out partition)
            && int.TryParse(rest[(split + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out epoch);
    }

    /// <summary>Whether the lake still holds the layout before Delta tables (<see cref="LegacyCommitFolder"/>).</summary>
    public static async Task<bool> HoldsLegacyLayoutAsync(ILakeStorage storage, string topic, CancellationToken cancellationToken) =>
        (await storage.ListAsync(LegacyCommitFolder(topic), cancellationToken)).Count > 0;
}
