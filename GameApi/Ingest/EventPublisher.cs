using System.Text.Json;
using Confluent.Kafka;
using GamePipeline.Contracts;
using Microsoft.Extensions.Options;

namespace GameApi.Ingest;

/// <summary>
/// Sends envelopes to Kafka and returns only once Kafka has acknowledged every one of them (acks=all,
/// idempotent producer): a 2xx built on this call means the events are durable in Kafka.
/// </summary>
public sealed class EventPublisher(IProducer<string, byte[]> producer, KafkaAvailability availability, IOptions<IngestOptions> options, GameApiMetrics metrics)
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

    public async Task PublishAsync(IReadOnlyList<GameEventEnvelope> envelopes)
    {
        ThrowIfDown();
        // Produced together (one key, one partition) so librdkafka batches them; all are awaited before answering.
        var deliveries = new Task<DeliveryResult<string, byte[]>>[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
        {
            deliveries[i] = producer.ProduceAsync(_topic, ToMessage(envelopes[i]));
        }

        try
        {
            await Task.WhenAll(deliveries);
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

    private static Message<string, byte[]> ToMessage(GameEventEnvelope envelope) => new()
    {
        Key = envelope.UserId,
        Value = JsonSerializer.SerializeToUtf8Bytes(envelope, ContractsJsonContext.Default.GameEventEnvelope),
    };

    private void ThrowIfDown()
    {
        if (availability.DownReason is { } reason)
        {
            metrics.Unavailable();
            throw new KafkaUnavailableException(reason, _retryAfter);
        }
    }

    private KafkaUnavailableException Unavailable(ProduceException<string, byte[]> e)
    {
        var reason = $"{e.Error.Code}: {e.Error.Reason}";
        availability.ReportDeliveryFailure(reason);
        metrics.Unavailable();
        return new KafkaUnavailableException(reason, _retryAfter, e);
    }
}
