using System.ComponentModel.DataAnnotations;

namespace LakeMaintenance;

/// <summary>Section <c>LakeMaintenance</c>. The lake's location is the connection string <c>lake</c>.</summary>
public sealed class LakeMaintenanceOptions : IValidatableObject
{
    public const string Section = "LakeMaintenance";

    /// <summary>How often each table is looked at for files to compact.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Compaction writes files of up to this many bytes (the inputs' sizes, summed)…</summary>
    [Range(1024, long.MaxValue)]
    public long TargetFileBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>…and up to this many rows.</summary>
    [Range(1, long.MaxValue)]
    public long TargetFileRows { get; set; } = 4_000_000;

    /// <summary>
    /// Small files of one size tier (under 1 MiB, under this many MiB, under this squared, …) are merged once there are
    /// this many of them; so a file is rewritten about once per tier, not once per pass.
    /// </summary>
    [Range(2, 1000)]
    public int FilesPerTier { get; set; } = 10;

    /// <summary>A date partition that has received no file for this long has all its small files merged.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Data files no snapshot of this age or younger needs are deleted (time travel reaches back this far).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan VacuumRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often vacuum and log cleanup run.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan VacuumInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Commits and checkpoints older than this are deleted once a newer checkpoint covers them; at least <see cref="VacuumRetention"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan LogRetention { get; set; } = TimeSpan.FromHours(2);

    /// <summary>A checkpoint every this many commits, for the commits maintenance makes (as the writer's).</summary>
    [Range(1, 1_000_000)]
    public int CheckpointInterval { get; set; } = 10;

    /// <summary>The longest wait between retries after a failed pass (the lake unreachable, a read-only disk).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LogRetention < VacuumRetention)
        {
            yield return new ValidationResult(
                $"LogRetention ({LogRetention}) must be at least VacuumRetention ({VacuumRetention}): vacuum reads the snapshot at its retention's edge from the log",
                [nameof(LogRetention)]);
        }
    }
}
