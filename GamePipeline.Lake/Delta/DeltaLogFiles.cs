using System.Globalization;

namespace GamePipeline.Lake.Delta;

/// <summary>
/// The names of the files in a table's <c>_delta_log/</c> (PROTOCOL.md, "File Types"): commits
/// <c>{version:20}.json</c>, classic checkpoints <c>{version:20}.checkpoint.parquet</c>, multi-part checkpoints
/// <c>{version:20}.checkpoint.{part:10}.{parts:10}.parquet</c>. Anything else (checksums, UUID-named checkpoints,
/// <c>_last_checkpoint</c>, temporary files) is not read.
/// </summary>
public static class DeltaLogFiles
{
    public const string LogDirectory = "_delta_log";
    public const string LastCheckpoint = "_last_checkpoint";
    private const int VersionDigits = 20;
    private const int PartDigits = 10;

    public static string CommitName(long version) => string.Create(CultureInfo.InvariantCulture, $"{version:D20}.json");

    public static string CheckpointName(long version) => string.Create(CultureInfo.InvariantCulture, $"{version:D20}.checkpoint.parquet");

    public static string CheckpointPartName(long version, int part, int parts) =>
        string.Create(CultureInfo.InvariantCulture, $"{version:D20}.checkpoint.{part:D10}.{parts:D10}.parquet");

    /// <summary>The commits and the complete checkpoints among a log directory's file names.</summary>
    public static LogListing Parse(IEnumerable<string> names)
    {
        var commits = new SortedSet<long>();
        var parts = new Dictionary<(long Version, int Parts), SortedSet<int>>();
        var checkpoints = new SortedDictionary<long, IReadOnlyList<string>>();
        foreach (var name in names)
        {
            if (name.Length < VersionDigits || !long.TryParse(name.AsSpan(0, VersionDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                continue;
            }

            var rest = name.AsSpan(VersionDigits);
            if (rest.SequenceEqual(".json"))
            {
                commits.Add(version);
            }
            else if (rest.SequenceEqual(".checkpoint.parquet"))
            {
                checkpoints[version] = [name];
            }
            else if (rest.Length == ".checkpoint.".Length + PartDigits + 1 + PartDigits + ".parquet".Length
                && rest.StartsWith(".checkpoint.") && rest.EndsWith(".parquet")
                && int.TryParse(rest.Slice(".checkpoint.".Length, PartDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var part)
                && int.TryParse(rest.Slice(".checkpoint.".Length + PartDigits + 1, PartDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var of))
            {
                if (!parts.TryGetValue((version, of), out var present))
                {
                    parts[(version, of)] = present = [];
                }

                present.Add(part);
            }
        }

        // A multi-part checkpoint with a part missing (a writer that failed halfway) must be ignored.
        foreach (var ((version, of), present) in parts)
        {
            if (present.Count == of && present.Min == 1 && present.Max == of && !checkpoints.ContainsKey(version))
            {
                checkpoints[version] = [.. Enumerable.Range(1, of).Select(part => CheckpointPartName(version, part, of))];
            }
        }

        return new LogListing(commits, checkpoints);
    }
}

/// <summary>What a log directory holds: commit versions, and the complete checkpoints with their files.</summary>
public sealed record LogListing(SortedSet<long> Commits, SortedDictionary<long, IReadOnlyList<string>> Checkpoints)
{
    /// <summary>The newest version the log can reconstruct, or null for an empty log.</summary>
    public long? Latest =>
        Commits.Count == 0 && Checkpoints.Count == 0
            ? null
            : Math.Max(Commits.Count > 0 ? Commits.Max : -1, Checkpoints.Count > 0 ? Checkpoints.Keys.Last() : -1);

    /// <summary>The newest complete checkpoint at or before <paramref name="version"/>, if any.</summary>
    public long? CheckpointAtOrBefore(long version) =>
        Checkpoints.Keys.Where(v => v <= version).Cast<long?>().LastOrDefault();
}
