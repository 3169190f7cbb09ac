using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StreamWriter;

/// <summary>
/// Offsets Kafka dropped by retention before this writer committed them to the lake: events that were
/// acknowledged and are lost. GameApi's backpressure exists so that this never happens; when it does anyway (a
/// cluster whose retention GameApi was not told, a writer stopped for longer than the retention), it is counted
/// (<c>gamepipeline.writer.lost_records</c>), logged as an error, and the writer reports itself unhealthy until it
/// is restarted, so that someone looks.
/// </summary>
public sealed class RetentionLosses(StreamWriterMetrics metrics, ILogger<RetentionLosses> logger) : IHealthCheck
{
    private readonly Lock _gate = new();
    private readonly List<string> _losses = [];

    public void Report(int partition, long from, long to)
    {
        metrics.Lost(partition, to - from);
        StreamWriterLog.RetentionGap(logger, partition, from, to);
        lock (_gate)
        {
            _losses.Add($"partition {partition}: offsets {from}–{to - 1} ({to - from} records)");
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_losses.Count == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Kafka dropped records before they reached the lake: {string.Join("; ", _losses.TakeLast(10))}"));
        }
    }
}
