namespace GamePipeline.ServiceDefaults.Kafka;

/// <summary>
/// Per-client settings, bound from <c>Kafka:Clients:{clientName}</c>. <see cref="Config"/> holds raw librdkafka
/// properties (e.g. <c>linger.ms</c>), applied over the defaults and under what code configures.
/// </summary>
public sealed class KafkaClientSettings
{
    public const string SectionPrefix = "Kafka:Clients";

    /// <summary>Bootstrap servers; defaults to <c>ConnectionStrings:{connectionName}</c>.</summary>
    public string? ConnectionString { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    public bool DisableMetrics { get; set; }

    /// <summary>How long the health check waits for the cluster's metadata.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often librdkafka reports statistics for the metrics (0 disables them).</summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);

    public Dictionary<string, string> Config { get; set; } = [];
}
