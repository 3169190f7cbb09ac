using Confluent.Kafka;
using GamePipeline.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace GameApi.Ingest;

/// <summary>
/// Knows whether Kafka is reachable, so that requests fail at once (503) while it is down instead of each
/// waiting out the acknowledgement timeout, and succeed again as soon as it is back — no restart needed.
/// Down: a delivery failed or the periodic probe failed. Up: the probe succeeded.
/// </summary>
public sealed class KafkaAvailability(
    IProducer<string, byte[]> producer,
    IOptions<IngestOptions> options,
    ILogger<KafkaAvailability> logger) : BackgroundService
{
    // Its own probe over the producer's connections, whether or not the producer's health check is registered.
    private readonly KafkaClientHealthCheck _probe = new(producer, options.Value.ProbeTimeout);

    private static readonly HealthCheckContext ProbeContext = new()
    {
        Registration = new HealthCheckRegistration("kafka-availability", _ => throw new NotSupportedException(), HealthStatus.Unhealthy, []),
    };

    private volatile string? _downReason;

    public bool IsAvailable => _downReason is null;

    public string? DownReason => _downReason;

    public void ReportDeliveryFailure(string reason)
    {
        if (Interlocked.Exchange(ref _downReason, reason) is null)
        {
            GameApiLog.KafkaDown(logger, reason);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProbeInterval);
        do
        {
            var result = await _probe.CheckHealthAsync(ProbeContext, stoppingToken);
            if (result.Status == HealthStatus.Healthy)
            {
                if (Interlocked.Exchange(ref _downReason, null) is { } wasDown)
                {
                    GameApiLog.KafkaBack(logger, wasDown);
                }
            }
            else
            {
                ReportDeliveryFailure(result.Description ?? "probe failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        _probe.Dispose();
        base.Dispose();
    }
}
