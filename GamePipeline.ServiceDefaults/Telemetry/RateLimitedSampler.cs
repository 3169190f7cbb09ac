using System.Diagnostics;
using OpenTelemetry.Trace;

namespace GamePipeline.ServiceDefaults.Telemetry;

/// <summary>
/// Parent-based, with a rate limit on new traces: a span follows its parent's decision (so a trace is whole or
/// absent, across Kafka too), and a span without a sampled parent starts a sampled trace only while the budget of
/// <c>tracesPerSecond</c> (a token bucket holding one second's worth) allows. At low traffic every request is
/// traced; at high traffic the collector gets a bounded stream. The others are still recorded, not dropped: their
/// trace ids cross Kafka and reach the lake, and <see cref="FailedSpanExporter"/> sends them after all if they fail.
/// </summary>
public sealed class RateLimitedSampler(double tracesPerSecond, TimeProvider clock) : Sampler
{
    private static readonly SamplingResult Sampled = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult RecordedOnly = new(SamplingDecision.RecordOnly);

    private readonly Lock _gate = new();
    private readonly double _rate = tracesPerSecond;
    private readonly long _start = clock.GetTimestamp();
    private double _tokens = tracesPerSecond;
    private long _refilledAt;

    public RateLimitedSampler(double tracesPerSecond)
        : this(tracesPerSecond, TimeProvider.System)
    {
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var parent = samplingParameters.ParentContext;
        if (parent.TraceId != default)
        {
            return (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? Sampled : RecordedOnly;
        }

        return TakeToken() ? Sampled : RecordedOnly;
    }

    private bool TakeToken()
    {
        lock (_gate)
        {
            var now = clock.GetTimestamp() - _start;
            _tokens = Math.Min(_rate, _tokens + (_rate * (now - _refilledAt) / clock.TimestampFrequency));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens--;
            return true;
        }
    }
}
