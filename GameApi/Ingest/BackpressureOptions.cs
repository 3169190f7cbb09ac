using System.ComponentModel.DataAnnotations;

namespace GameApi.Ingest;

/// <summary>
/// Section <c>Ingest:Backpressure</c>: when GameApi stops accepting events because the lake writers trail Kafka
/// by so much that Kafka's retention could drop events nobody has written to the lake yet.
/// </summary>
public sealed class BackpressureOptions
{
    public const string Section = "Ingest:Backpressure";

    /// <summary>The writers' consumer group, whose committed offsets say how far the lake has got.</summary>
    [Required]
    public string WriterGroup { get; set; } = "streamwriter";

    /// <summary>
    /// Bytes of record batches Kafka keeps per partition before it drops the oldest (retention.bytes); unset when
    /// the cluster does not limit them. The embedded Kafka publishes its own limit to GameApi. Whatever the limits,
    /// once Kafka has dropped a partition's oldest records, what it holds of it is measured instead.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long? RetentionBytes { get; set; }

    /// <summary>Record batches Kafka keeps per partition (the embedded Kafka's second limit); unset when unlimited.</summary>
    [Range(1L, long.MaxValue)]
    public long? RetentionBatches { get; set; }

    /// <summary>
    /// Events are refused once the unwritten part of a partition reaches this share of what Kafka keeps of it. The
    /// rest is the margin for what arrives before the next check and what the writers hold uncommitted.
    /// </summary>
    [Range(0.05, 0.95)]
    public double MaxShareOfRetention { get; set; } = 0.75;

    /// <summary>How often the writers' positions and the partitions' ends are read.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Off only where no writer reads the topic on purpose (a benchmark of GameApi alone).</summary>
    public bool Enabled { get; set; } = true;

    public bool LimitsKnown => RetentionBytes is not null || RetentionBatches is not null;
}
