using System.Diagnostics.Metrics;

namespace GameApi;

/// <summary>Events accepted per type, and why others were turned away.</summary>
public sealed class GameApiMetrics
{
    public const string MeterName = "GamePipeline.GameApi";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> _unwritten = new();

    public GameApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _accepted = meter.CreateCounter<long>("gamepipeline.events.accepted", "{event}", "Events acknowledged by Kafka, by event type and source.");
        _rejected = meter.CreateCounter<long>("gamepipeline.events.rejected", "{request}", "Requests refused, by reason.");
        meter.CreateObservableGauge("gamepipeline.events.unwritten_records", () => _unwritten.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("messaging.destination.partition.id", p.Key))),
            "{record}", "Kafka records (an event, or a batch of events) the lake writers have not committed to the lake yet, by partition.");
    }

    public void Accepted(string eventType, string source) =>
        _accepted.Add(1, new KeyValuePair<string, object?>("event_type", eventType), new KeyValuePair<string, object?>("source", source));

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Unavailable() => Rejected("kafka_unavailable");

    public void Unwritten(int partition, long records) => _unwritten[partition] = records;
}
