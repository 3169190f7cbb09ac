using System.Globalization;
using GamePipeline.Contracts;

namespace GamePipeline.Lake;

/// <summary>
/// The lake's layout, which its writer and its readers share. Tables hold only committed, complete files:
/// <c>{table}/dt=YYYY-MM-DD/part-{topic}-p{partition}-e{epoch}-{first offset}-{last offset}.parquet</c>.
/// Work in progress and the commit log live apart, under <c>_staging/</c> and <c>_commits/</c>, which no table
/// location includes.
/// </summary>
public static class LakeLayout
{
    public const string CommitsRoot = "_commits";
    public const string StagingRoot = "_staging";

    public static string CommitDirectory(string topic, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{CommitsRoot}/{topic}/p{partition:D4}");

    /// <summary>Named by epoch and first offset, so two writers committing the same range collide instead of both succeeding.</summary>
    public static string ManifestName(int epoch, long firstOffset) =>
        string.Create(CultureInfo.InvariantCulture, $"e{epoch:D4}-{firstOffset:D19}.json");

    public static string StagingDirectory(string topic, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{StagingRoot}/{topic}/p{partition:D4}");

    /// <summary>A new staging file name; it starts with its creation time so recovery can tell stale leftovers.</summary>
    public static string StagedFile(string topic, int partition, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"{StagingDirectory(topic, partition)}/{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds():D15}-{Guid.NewGuid():N}{extension}");

    public static DateTimeOffset StagedAt(string stagedName) =>
        stagedName.Length > 15 && long.TryParse(stagedName.AsSpan(0, 15), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MinValue;

    /// <summary>A table's date partition: the Hive-style folder <c>dt=YYYY-MM-DD</c> (<see cref="LakeTables.PartitionColumn"/>).</summary>
    public static string PartitionFolder(DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"{LakeTables.PartitionColumn}={date:yyyy-MM-dd}");

    public static string DataFile(string table, DateOnly date, string topic, int partition, int epoch, long firstOffset, long lastOffset) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{table}/{PartitionFolder(date)}/part-{topic}-p{partition:D4}-e{epoch:D4}-{firstOffset:D19}-{lastOffset:D19}.parquet");

    /// <summary>Every data file of a table, as a glob under the lake's root: <c>{table}/*/*.parquet</c>.</summary>
    public static string DataFiles(string lakeRoot, string table) => Path.Combine(lakeRoot, table, "*", "*.parquet");

    /// <summary>
    /// The file that gives a table its schema before its first event: empty, typed, in a partition no event has
    /// (engines skip files whose names start with '_').
    /// </summary>
    public static string SchemaFile(string lakeRoot, string table) =>
        Path.Combine(lakeRoot, table, PartitionFolder(new DateOnly(1970, 1, 1)), "_schema.parquet");
}
