using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;

namespace GamePipeline.Kafka;

/// <summary>
/// Spans and metrics for Kafka clients, named per the OpenTelemetry messaging conventions, and the W3C trace
/// context that crosses Kafka in message headers.
/// </summary>
public static class KafkaTelemetry
{
    public const string ActivitySourceName = "GamePipeline.Kafka";
    public const string MeterName = "GamePipeline.Kafka";
    public const string MessagingSystem = "kafka";

    internal static readonly ActivitySource Source = new(ActivitySourceName);
    internal static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> SentMessages = Meter.CreateCounter<long>(
        "messaging.client.sent.messages", "{message}", "Messages the producer attempted to send (error.type set on failures).");

    internal static readonly Counter<long> ConsumedMessages = Meter.CreateCounter<long>(
        "messaging.client.consumed.messages", "{message}", "Messages delivered to the application by a consumer.");

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(
        "messaging.client.operation.duration", "s", "Time from produce to broker acknowledgement.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    internal static readonly Counter<long> ClientErrors = Meter.CreateCounter<long>(
        "gamepipeline.kafka.client.errors", "{error}", "Errors librdkafka reported to the client's error handler.");

    /// <summary>Writes the current trace context into <paramref name="headers"/> (replacing any already there).</summary>
    public static void InjectTraceContext(Activity? activity, Headers headers)
    {
        if (activity is null)
        {
            return;
        }

        headers.Remove("traceparent");
        headers.Remove("tracestate");
        DistributedContextPropagator.Current.Inject(activity, headers, static (carrier, name, value) =>
        {
            if (carrier is Headers h && value is not null)
            {
                h.Add(name, Encoding.UTF8.GetBytes(value));
            }
        });
    }

    /// <summary>The producer's trace context carried by a message, if any.</summary>
    public static ActivityContext ExtractTraceContext(Headers? headers)
    {
        if (headers is null)
        {
            return default;
        }

        // The common case, read per record by StreamWriter: a version-00 traceparent and no tracestate, parsed in
        // place instead of through the propagator's strings.
        if (headers.TryGetLastBytes("traceparent", out var traceParentBytes) && !headers.TryGetLastBytes("tracestate", out _)
            && TryParseTraceParent(traceParentBytes, out var fast))
        {
            return fast;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
        {
            values = null;
            value = carrier is Headers h && h.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
        }, out var traceParent, out var traceState);

        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    /// <summary>W3C <c>traceparent</c> version 00: <c>00-{32 hex trace id}-{16 hex span id}-{2 hex flags}</c>.</summary>
    private static bool TryParseTraceParent(ReadOnlySpan<byte> value, out ActivityContext context)
    {
        context = default;
        if (value.Length != 55 || value[0] != (byte)'0' || value[1] != (byte)'0' || value[2] != (byte)'-' || value[35] != (byte)'-' || value[52] != (byte)'-'
            || !IsLowerHex(value[3..35]) || !IsLowerHex(value[36..52]) || !IsLowerHex(value[53..55])
            || value[3..35].IndexOfAnyExcept((byte)'0') < 0 || value[36..52].IndexOfAnyExcept((byte)'0') < 0)
        {
            return false;
        }

        var flags = (System.Buffers.Text.Utf8Parser.TryParse(value[53..55], out byte parsed, out _, 'x') ? parsed : 0) & 1;
        context = new ActivityContext(
            ActivityTraceId.CreateFromUtf8String(value[3..35]),
            ActivitySpanId.CreateFromUtf8String(value[36..52]),
            (ActivityTraceFlags)flags,
            traceState: null,
            isRemote: true);
        return true;
    }

    private static bool IsLowerHex(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(LowerHex) < 0;

    private static readonly System.Buffers.SearchValues<byte> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef"u8);

    internal static Activity? StartSend(string topic, string clientName, object? key)
    {
        var activity = Source.StartActivity($"send {topic}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", MessagingSystem);
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", "send");
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("messaging.client.id", clientName);
            if (key is string or int or long or Guid)
            {
                activity.SetTag("messaging.kafka.message.key", key.ToString());
            }
        }

        return activity;
    }

    internal static Activity? StartReceive<TKey, TValue>(ConsumeResult<TKey, TValue> result, string clientName, string? groupId)
    {
        var parent = ExtractTraceContext(result.Message?.Headers);
        var activity = Source.StartActivity($"receive {result.Topic}", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", MessagingSystem);
            activity.SetTag("messaging.operation.type", "receive");
            activity.SetTag("messaging.operation.name", "poll");
            activity.SetTag("messaging.destination.name", result.Topic);
            activity.SetTag("messaging.destination.partition.id", result.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", result.Offset.Value);
            activity.SetTag("messaging.client.id", clientName);
            if (groupId is not null)
            {
                activity.SetTag("messaging.consumer.group.name", groupId);
            }
        }

        return activity;
    }

    internal static void RecordDelivered(Activity? activity, TopicPartitionOffset delivered)
    {
        activity?.SetTag("messaging.destination.partition.id", delivered.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        activity?.SetTag("messaging.kafka.offset", delivered.Offset.Value);
    }

    internal static void RecordFailure(Activity? activity, Exception error, string errorType)
    {
        activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        activity?.SetTag("error.type", errorType);
    }

    internal static TagList Tags(string operation, string topic, string? errorType = null)
    {
        var tags = new TagList
        {
            { "messaging.system", MessagingSystem },
            { "messaging.operation.name", operation },
            { "messaging.destination.name", topic },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        return tags;
    }
}
