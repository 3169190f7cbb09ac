using System.Text.Json;
using Confluent.Kafka;
using GamePipeline.Contracts;
using Microsoft.Extensions.Options;

namespace GameApi.Ingest;

/// <summary>
/// Sends envelopes to Kafka and returns only once Kafka has acknowledged every one of them (acks=all,
/// idempotent producer): a 2xx built on this call means the events are durable in Kafka.
/// </summary>
public sealed class EventPublisher(IProducer<string, byte[]> producer, KafkaAvailability availability, WriterBacklog backlog, IOptions<IngestOptions> options, GameApiMetrics metrics)
{
    private readonly string _topic = options.Value.Topic;
    private readonly TimeSpan _retryAfter = options.Value.RetryAfter;

    public async Task PublishAsync(GameEventEnvelope envelope)
    {
        ThrowIfDown();
        try
        {
            // No request-abort token: once handed to Kafka, an event is delivered even if the client hangs up.
            await producer.ProduceAsync(_topic, ToMessage(envelope));
        }
        catch (ProduceException<string, byte[]> e)
        {
            throw Unavailable(e);
        }

        metrics.Accepted(envelope.EventType, envelope.Source);
    }

    /// <summary>
    /// Sends a batch's events as one Kafka record (see <see cref="ToBatchMessage"/>): Kafka writes a record whole
    /// or not at all, so every event of the batch reaches the lake, or none does.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<GameEventEnvelope> envelopes, Message<string, byte[]> batch)
    {
        ThrowIfDown();
        try
        {
            await producer.ProduceAsync(_topic, batch);
        }
        catch (ProduceException<string, byte[]> e)
        {
            throw Unavailable(e);
        }

        foreach (var envelope in envelopes)
        {
            metrics.Accepted(envelope.EventType, envelope.Source);
        }
    }

    /// <summary>One event as a Kafka record: its envelope, keyed by its user (one user's events stay in order on one partition).</summary>
    public static Message<string, byte[]> ToMessage(GameEventEnvelope envelope) => new()
    {
        Key = envelope.UserId,
        Value = Serialize(envelope),
    };

    /// <summary>
    /// One user's batch as one Kafka record: a JSON array of the events' envelopes, each serialized beforehand
    /// (<see cref="Serialize"/>), keyed by the user.
    /// </summary>
    public static Message<string, byte[]> ToBatchMessage(string userId, IReadOnlyList<byte[]> serializedEvents)
    {
        var value = new byte[2 + serializedEvents.Sum(e => e.Length) + Math.Max(0, serializedEvents.Count - 1)];
        var at = 0;
        value[at++] = (byte)'[';
        for (var i = 0; i < serializedEvents.Count; i++)
        {
            if (i > 0)
            {
                value[at++] = (byte)',';
            }

            serializedEvents[i].CopyTo(value, at);
            at += serializedEvents[i].Length;
        }

        value[at] = (byte)']';
        return new Message<string, byte[]> { Key = userId, Value = value };
    }

    /// <summary>The envelope as UTF-8 JSON; throws when it holds text that is no valid Unicode.</summary>
    public static byte[] Serialize(GameEventEnvelope envelope) =>
        JsonSerializer.SerializeToUtf8Bytes(envelope, ContractsJsonContext.Default.GameEventEnvelope);

    private void ThrowIfDown()
    {
        if (availability.DownReason is { } reason)
        {
            metrics.Unavailable();
            throw new IngestUnavailableException(IngestUnavailableException.KafkaUnavailable, $"Kafka is unavailable: {reason}", _retryAfter);
        }

        if (backlog.RefusalReason is { } behind)
        {
            metrics.Rejected("writers_behind");
            throw new IngestUnavailableException(IngestUnavailableException.WritersBehind, $"Not accepting events now: {behind}", _retryAfter);
        }
    }

    private IngestUnavailableException Unavailable(ProduceException<string, byte[]> e)
    {
        var reason = $"{e.Error.Code}: {e.Error.Reason}";
        availability.ReportDeliveryFailure(reason);
        metrics.Unavailable();
        return new IngestUnavailableException(IngestUnavailableException.KafkaUnavailable, $"Kafka is unavailable: {reason}", _retryAfter, e);
    }
}
