using System.ComponentModel.DataAnnotations;
using GamePipeline.Contracts;

namespace GameApi.Ingest;

/// <summary>Section <c>Ingest</c>: how GameApi turns requests into Kafka events.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    [Required]
    public string Topic { get; set; } = Topics.Events;

    /// <summary>The longest a request waits for Kafka's acknowledgement before it is answered 503 (librdkafka's message.timeout.ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What a 503 tells the client in Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often Kafka is probed, so requests fail fast while it is down and succeed again once it is back.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe waits for the cluster's metadata before Kafka counts as down.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long shutdown waits for queued events to be acknowledged.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1, 10_000)]
    public int MaxBatchEvents { get; set; } = 500;

    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxBatchBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Largest Kafka record: a batch travels as one record holding its events' envelopes (librdkafka's
    /// message.max.bytes for the producer; a real cluster's max.message.bytes must allow it, compressed).
    /// </summary>
    [Range(64 * 1024, 64 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest <c>properties</c> object of one event, as JSON.</summary>
    [Range(2, 1024 * 1024)]
    public int MaxPropertiesBytes { get; set; } = 16 * 1024;

    [Range(1, 1024)]
    public int MaxUserIdLength { get; set; } = 256;

    /// <summary>Headers that never reach Kafka (case-insensitive): credentials and session tokens.</summary>
    public string[] RedactedHeaders { get; set; } =
    [
        "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key",
        "X-Auth-Token", "X-Access-Token", "X-Csrf-Token", "X-Xsrf-Token", "X-Amz-Security-Token",
    ];
}
