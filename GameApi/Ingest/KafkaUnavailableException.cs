namespace GameApi.Ingest;

/// <summary>Kafka did not acknowledge (or is known to be down): the request is answered 503 with Retry-After.</summary>
public sealed class KafkaUnavailableException(string reason, TimeSpan retryAfter, Exception? inner = null)
    : Exception($"Kafka is unavailable: {reason}", inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
