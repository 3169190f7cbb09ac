using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GamePipeline.Kafka;

/// <summary>
/// Healthy when the cluster answers a metadata request over the client's own connections (a dependent admin
/// client on its handle): one instance per client, created once and disposed before the client it rides on.
/// </summary>
public sealed class KafkaClientHealthCheck(IClient client, TimeSpan timeout) : IHealthCheck, IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(() => new DependentAdminClientBuilder(client.Handle).Build());
    private int _disposed;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks; keep it off the caller's thread.
            var metadata = await Task.Run(() => _admin.Value.GetMetadata(timeout), cancellationToken);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s) reachable")
                : new HealthCheckResult(context.Registration.FailureStatus, "The cluster reported no brokers");
        }
        catch (KafkaException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Kafka unreachable: {e.Error.Reason}", e);
        }
    }

    /// <summary>Idempotent: a service registered both as itself and as a hosted service is disposed twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
