using Confluent.Kafka;
using Microsoft.Extensions.Configuration;

namespace GamePipeline.Kafka;

/// <summary>
/// One Kafka client's settings. They come, each overriding the one before, from the librdkafka defaults the service
/// declares, then section <c>Kafka:Clients:{clientName}</c>, then the connection string
/// <c>ConnectionStrings:{connectionName}</c>, then the code that adds the client, as in Aspire's own client
/// integrations: configuration tunes what the service's code leaves open, and cannot change what it sets.
/// </summary>
public abstract class KafkaClientSettings
{
    public const string SectionPrefix = "Kafka:Clients";

    /// <summary>Bootstrap servers (<c>host:port,…</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>No health check for this client (the service keeps running; nothing else depends on it).</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>No producer/consumer spans; trace context still crosses Kafka in the headers the service writes.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>No client metrics and no librdkafka statistics.</summary>
    public bool DisableMetrics { get; set; }

    /// <summary>How long the health check waits for the cluster's metadata.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often librdkafka reports statistics for the metrics (0 turns them off).</summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The librdkafka properties (<c>Config:linger.ms</c>, …) as a typed client configuration.</summary>
    internal abstract ClientConfig ClientConfig { get; }

    internal void Read(IEnumerable<KeyValuePair<string, string>>? defaults, IConfiguration configuration, string connectionName, string clientName)
    {
        foreach (var (name, value) in defaults ?? [])
        {
            ClientConfig.Set(name, value);
        }

        var section = configuration.GetSection($"{SectionPrefix}:{clientName}");
        section.Bind(this);
        foreach (var property in section.GetSection("Config").GetChildren())
        {
            ClientConfig.Set(property.Key, property.Value);
        }

        if (configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            ConnectionString = connectionString;
        }
    }
}

public sealed class KafkaProducerSettings : KafkaClientSettings
{
    /// <summary>librdkafka producer properties; code sets them after configuration has.</summary>
    public ProducerConfig Config { get; } = new();

    internal override ClientConfig ClientConfig => Config;
}

public sealed class KafkaConsumerSettings : KafkaClientSettings
{
    /// <summary>librdkafka consumer properties; code sets them after configuration has.</summary>
    public ConsumerConfig Config { get; } = new();

    internal override ClientConfig ClientConfig => Config;
}
