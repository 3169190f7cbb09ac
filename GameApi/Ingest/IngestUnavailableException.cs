namespace GameApi.Ingest;

/// <summary>
/// The event cannot be accepted now — Kafka did not acknowledge it, is known to be down, or the lake writers are
/// so far behind that Kafka could drop it unread: the request is answered 503 with Retry-After.
/// </summary>
public sealed class IngestUnavailableException(string title, string reason, TimeSpan retryAfter, Exception? inner = null)
    : Exception(reason, inner)
{
    public const string KafkaUnavailable = "Kafka is unavailable; the event was not recorded";

    public const string WritersBehind = "The lake writers are behind; the event was not recorded";

    public string Title { get; } = title;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
