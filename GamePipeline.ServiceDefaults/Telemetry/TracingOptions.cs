using System.ComponentModel.DataAnnotations;

namespace GamePipeline.ServiceDefaults.Telemetry;

/// <summary>Section <c>Telemetry:Tracing</c>: how many traces a service sends to the collector (the dashboard).</summary>
public sealed class TracingOptions
{
    public const string Section = "Telemetry:Tracing";

    /// <summary>
    /// New traces (requests and operations with no sampled parent) kept per second, at most; a burst of up to one
    /// second's worth is kept at once. 0 keeps none but failures; leave it unset to keep everything.
    /// </summary>
    [Range(0, 1_000_000)]
    public double? TracesPerSecond { get; set; } = 20;
}
