using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace GamePipeline.Kafka;

/// <summary>The figures we chart from librdkafka's statistics JSON (emitted every <c>statistics.interval.ms</c>).</summary>
public sealed record KafkaStatisticsSnapshot(
    string ClientName,
    string Type,
    long QueuedMessages,
    long QueuedBytes,
    long InFlightRequests,
    long TransmittedBytes,
    long ReceivedBytes,
    long ConsumerLag,
    long TransmittedMessages = 0)
{
    public static KafkaStatisticsSnapshot Parse(string clientName, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        long inFlight = 0;
        if (root.TryGetProperty("brokers", out var brokers))
        {
            foreach (var broker in brokers.EnumerateObject())
            {
                inFlight += Long(broker.Value, "outbuf_cnt") + Long(broker.Value, "waitresp_cnt");
            }
        }

        long lag = 0;
        if (root.TryGetProperty("topics", out var topics))
        {
            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var partitions))
                {
                    continue;
                }

                foreach (var partition in partitions.EnumerateObject())
                {
                    // -1 is "unknown" and the internal partition (-1) aggregates nothing useful.
                    var partitionLag = Long(partition.Value, "consumer_lag");
                    if (partition.Name != "-1" && partitionLag > 0)
                    {
                        lag += partitionLag;
                    }
                }
            }
        }

        return new KafkaStatisticsSnapshot(
            clientName,
            root.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "",
            Long(root, "msg_cnt"),
            Long(root, "msg_size"),
            inFlight,
            Long(root, "tx_bytes"),
            Long(root, "rx_bytes"),
            lag,
            Long(root, "txmsgs"));
    }

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}

/// <summary>Keeps each client's latest statistics and exposes them as observable instruments.</summary>
public sealed class KafkaStatisticsRegistry
{
    private readonly ConcurrentDictionary<string, KafkaStatisticsSnapshot> _latest = new();

    public KafkaStatisticsRegistry()
    {
        var meter = KafkaTelemetry.Meter;
        meter.CreateObservableGauge("gamepipeline.kafka.client.queue.messages", () => Observe(s => s.QueuedMessages), "{message}", "Messages waiting in the client's queues.");
        meter.CreateObservableGauge("gamepipeline.kafka.client.queue.bytes", () => Observe(s => s.QueuedBytes), "By", "Bytes waiting in the client's queues.");
        meter.CreateObservableGauge("gamepipeline.kafka.client.inflight.requests", () => Observe(s => s.InFlightRequests), "{request}", "Requests sent or queued to brokers and awaiting a response.");
        meter.CreateObservableCounter("gamepipeline.kafka.client.transmitted.bytes", () => Observe(s => s.TransmittedBytes), "By", "Bytes sent to brokers.");
        meter.CreateObservableCounter("gamepipeline.kafka.client.received.bytes", () => Observe(s => s.ReceivedBytes), "By", "Bytes received from brokers.");
        meter.CreateObservableGauge("messaging.kafka.consumer.lag", () => Observe(s => s.ConsumerLag, onlyType: "consumer"), "{message}", "Messages between the consumer's position and the end of its partitions.");
    }

    public KafkaStatisticsSnapshot? Latest(string clientName) => _latest.GetValueOrDefault(clientName);

    public void Record(string clientName, string json) => _latest[clientName] = KafkaStatisticsSnapshot.Parse(clientName, json);

    private IEnumerable<Measurement<long>> Observe(Func<KafkaStatisticsSnapshot, long> value, string? onlyType = null) =>
        _latest.Values
            .Where(s => onlyType is null || s.Type == onlyType)
            .Select(s => new Measurement<long>(value(s), new TagList { { "messaging.system", KafkaTelemetry.MessagingSystem }, { "messaging.client.id", s.ClientName } }));
}
