using System.ComponentModel.DataAnnotations;
using GamePipeline.Contracts;

namespace StreamWriter;

/// <summary>Section <c>StreamWriter</c>. The lake's location is the connection string <c>lake</c>.</summary>
public sealed class StreamWriterOptions
{
    public const string Section = "StreamWriter";

    [Required]
    public string Topic { get; set; } = Topics.Events;

    /// <summary>Consumer group: writers sharing it share the topic's partitions.</summary>
    [Required]
    public string GroupId { get; set; } = "streamwriter";

    /// <summary>
    /// How the group shares the partitions. <c>Consumer</c> (KIP-848; Kafka 4.0 and later, and the embedded Kafka):
    /// the coordinator hands a dead writer's partitions to the others once the cluster's group session timeout has
    /// passed. <c>Classic</c>, for older clusters: the survivors rejoin in a rebalance; the session timeout is then
    /// the client's <c>session.timeout.ms</c> (10 s here; <c>Kafka:Clients:streamwriter:Config</c>).
    /// </summary>
    [EnumDataType(typeof(Confluent.Kafka.GroupProtocol))]
    public Confluent.Kafka.GroupProtocol GroupProtocol { get; set; } = Confluent.Kafka.GroupProtocol.Consumer;

    /// <summary>A partition's batch is committed once it holds this many records…</summary>
    [Range(1, 10_000_000)]
    public int FlushMaxRecords { get; set; } = 250_000;

    /// <summary>…or this many payload bytes (or half the partition's share of <see cref="MaxBufferedBytes"/>, if less)…</summary>
    [Range(1_024, 2L * 1024 * 1024 * 1024)]
    public long FlushMaxBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>…or when its oldest record has waited this long (the freshness bound at low traffic).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>While the writer works through a backlog, batches wait this long (or for the size limits) instead of <see cref="FlushInterval"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan BacklogFlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>All partitions' batches together may hold this many payload bytes before they are committed.</summary>
    [Range(1_024, 16L * 1024 * 1024 * 1024)]
    public long MaxBufferedBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// While more partitions than this are behind, only this many are read at once (the others are paused until
    /// these reach their end): each partition's batch fills and is committed while the next ones are read,
    /// instead of every partition filling in lock-step. The first group is an eighth of this, each next one twice
    /// the last. Also the number of partitions <see cref="MaxBufferedBytes"/> is shared among.
    /// </summary>
    [Range(1, 100_000)]
    public int BacklogReadPartitions { get; set; } = 32;

    /// <summary>
    /// How many partitions' batches are written at once. Twice the cores: a commit spends part of its time waiting
    /// for the disk (fsync, renames), when another one can encode.
    /// </summary>
    [Range(1, 1024)]
    public int CommitParallelism { get; set; } = 2 * Environment.ProcessorCount;

    /// <summary>Larger records go to bad_events (reason <c>oversize</c>).</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 256 * 1024;

    /// <summary>How long the consumer waits for records before checking what is due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:05")]
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a failed commit waits before it is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A table gets a Parquet checkpoint of its log every this many commits.</summary>
    [Range(1, 100_000)]
    public int CheckpointInterval { get; set; } = GamePipeline.Lake.Delta.LakeDeltaTables.DefaultCheckpointInterval;

    /// <summary>
    /// Events with an idempotency key are written once per user and key within this window, measured on the times
    /// GameApi received them: a key sent again later than this is a new event. The writer keeps the window's keys in
    /// memory, per partition it owns (docs/streamwriter.md, Idempotency keys).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How often the writer reads the suppression list (table <c>erasures</c>) again; it reads it at every partition
    /// assignment too. An erasure waits longer than this before it rewrites files, so no writer still writes the user.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ErasureRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Names this writer in logs (defaults to host and process id).</summary>
    public string? WriterId { get; set; }
}
