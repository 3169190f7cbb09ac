using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GamePipeline.Hosting.Kafka;

/// <summary>
/// Healthy when a message to the health topic is acknowledged by the cluster. One instance (and one producer)
/// per resource, disposed with the app — Aspire's own Kafka check leaked a producer per run.
/// </summary>
public sealed class KafkaProduceHealthCheck(string bootstrapServers, string topic = KafkaProduceHealthCheck.DefaultTopic) : IHealthCheck, IDisposable
{
    public const string DefaultTopic = "__gamepipeline_health";

    private readonly Lazy<IProducer<Null, string>> _producer = new(() => new ProducerBuilder<Null, string>(new ProducerConfig
    {
        BootstrapServers = bootstrapServers,
        Acks = Acks.All,
        MessageTimeoutMs = 3000,
        SocketTimeoutMs = 3000,
        LogConnectionClose = false,
    }).SetLogHandler((_, _) => { }).Build());

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await _producer.Value.ProduceAsync(topic, new Message<Null, string> { Value = "ping" }, cancellationToken);
            return result.Status == PersistenceStatus.Persisted
                ? HealthCheckResult.Healthy($"Produced to {topic} at offset {result.Offset.Value}")
                : new HealthCheckResult(context.Registration.FailureStatus, $"Produce to {topic} not persisted: {result.Status}");
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Kafka at {bootstrapServers} did not acknowledge: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Dispose();
        }
    }
}

internal static class KafkaProduceHealthCheckRegistration
{
    /// <summary>
    /// Registers the resource's produce check under <c>{name}_produce</c>: one check (one producer) per resource,
    /// created at the first check — when <paramref name="bootstrapServers"/> can tell the address — and disposed
    /// with the app. Returns the check's name for <c>WithHealthCheck</c>.
    /// </summary>
    public static string AddKafkaProduceHealthCheck(this IServiceCollection services, string name, Func<string> bootstrapServers)
    {
        var healthCheckName = $"{name}_produce";
        services.AddKeyedSingleton(name, (_, _) => new KafkaProduceHealthCheck(bootstrapServers()));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckName,
            sp => sp.GetRequiredKeyedService<KafkaProduceHealthCheck>(name),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["kafka"]));
        return healthCheckName;
    }
}
