using System.Diagnostics;
using OpenTelemetry;

namespace GamePipeline.ServiceDefaults.Telemetry;

/// <summary>
/// Marks a failed span that was recorded but not sampled as sampled when it ends, so the exporter that follows
/// sends it: a 5xx request, a Kafka produce that failed, any span whose status is Error. The spans of its trace
/// that ended earlier without failing stay unsent.
/// </summary>
public sealed class FailedSpanExporter : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        if (!data.Recorded && data.Status == ActivityStatusCode.Error)
        {
            data.ActivityTraceFlags |= ActivityTraceFlags.Recorded;
        }
    }
}
