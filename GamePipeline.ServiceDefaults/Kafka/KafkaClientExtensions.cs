using System.Globalization;
using Confluent.Kafka;
using GamePipeline.ServiceDefaults.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Kafka producers and consumers from a connection string (<c>ConnectionStrings:{connectionName}</c>), with
/// tracing across Kafka headers, metrics, librdkafka logs in the app's logging, and a health check each.
/// </summary>
public static class KafkaClientExtensions
{
    public static IHostApplicationBuilder AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        string? clientName = null,
        Action<ProducerConfig>? configure = null,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder = null,
        Action<KafkaClientSettings>? configureSettings = null)
    {
        clientName ??= $"{connectionName}-producer";
        var settings = builder.ReadKafkaSettings(connectionName, clientName, configureSettings);
        var name = clientName;

        builder.Services.TryAddSingleton<KafkaStatisticsRegistry>();
        builder.Services.AddSingleton(sp =>
        {
            var config = new ProducerConfig(BaseConfig(settings, connectionName));
            configure?.Invoke(config);
            var events = new KafkaClientEvents(name, settings, sp);
            var producerBuilder = new ProducerBuilder<TKey, TValue>(config)
                .SetLogHandler((_, message) => events.OnLog(message))
                .SetErrorHandler((_, error) => events.OnError(error));
            if (!settings.DisableMetrics)
            {
                producerBuilder.SetStatisticsHandler((_, json) => events.OnStatistics(json));
            }

            configureBuilder?.Invoke(sp, producerBuilder);
            var producer = producerBuilder.Build();
            return settings.DisableTracing ? producer : new InstrumentedProducer<TKey, TValue>(producer, name);
        });

        builder.AddKafkaHealthCheck(settings, name, sp => sp.GetRequiredService<IProducer<TKey, TValue>>());
        return builder;
    }

    public static IHostApplicationBuilder AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        string? clientName = null,
        Action<ConsumerConfig>? configure = null,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder = null,
        Action<KafkaClientSettings>? configureSettings = null)
    {
        clientName ??= $"{connectionName}-consumer";
        var settings = builder.ReadKafkaSettings(connectionName, clientName, configureSettings);
        var name = clientName;

        builder.Services.TryAddSingleton<KafkaStatisticsRegistry>();
        builder.Services.AddSingleton(sp =>
        {
            var config = new ConsumerConfig(BaseConfig(settings, connectionName));
            configure?.Invoke(config);
            var events = new KafkaClientEvents(name, settings, sp);
            var consumerBuilder = new ConsumerBuilder<TKey, TValue>(config)
                .SetLogHandler((_, message) => events.OnLog(message))
                .SetErrorHandler((_, error) => events.OnError(error));
            if (!settings.DisableMetrics)
            {
                consumerBuilder.SetStatisticsHandler((_, json) => events.OnStatistics(json));
            }

            configureBuilder?.Invoke(sp, consumerBuilder);
            var consumer = consumerBuilder.Build();
            return settings.DisableTracing ? consumer : new InstrumentedConsumer<TKey, TValue>(consumer, name, config.GroupId);
        });

        builder.AddKafkaHealthCheck(settings, name, sp => sp.GetRequiredService<IConsumer<TKey, TValue>>());
        return builder;
    }

    /// <summary>Code sets defaults (<paramref name="configureSettings"/>); configuration overrides them.</summary>
    private static KafkaClientSettings ReadKafkaSettings(this IHostApplicationBuilder builder, string connectionName, string clientName, Action<KafkaClientSettings>? configureSettings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var settings = new KafkaClientSettings();
        configureSettings?.Invoke(settings);
        builder.Configuration.GetSection($"{KafkaClientSettings.SectionPrefix}:{clientName}").Bind(settings);
        settings.ConnectionString ??= builder.Configuration.GetConnectionString(connectionName);
        return settings;
    }

    private static Dictionary<string, string> BaseConfig(KafkaClientSettings settings, string connectionName)
    {
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"Kafka connection string '{connectionName}' is missing: set ConnectionStrings:{connectionName} (the AppHost does this through WithReference).");
        }

        var config = new Dictionary<string, string>(settings.Config) { ["bootstrap.servers"] = settings.ConnectionString };
        if (!settings.DisableMetrics && settings.StatisticsInterval > TimeSpan.Zero)
        {
            config.TryAdd("statistics.interval.ms", ((long)settings.StatisticsInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        return config;
    }

    private static void AddKafkaHealthCheck(this IHostApplicationBuilder builder, KafkaClientSettings settings, string clientName, Func<IServiceProvider, IClient> client)
    {
        if (settings.DisableHealthChecks)
        {
            return;
        }

        builder.Services.AddKeyedSingleton(clientName, (sp, _) => new KafkaClientHealthCheck(client(sp), settings.HealthCheckTimeout));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"kafka-{clientName}",
            sp => sp.GetRequiredKeyedService<KafkaClientHealthCheck>(clientName),
            HealthStatus.Unhealthy,
            ["kafka", "ready"]));
    }

    /// <summary>Routes librdkafka's callbacks (logs, errors, statistics) to logging and metrics.</summary>
    private sealed class KafkaClientEvents(string clientName, KafkaClientSettings settings, IServiceProvider services)
    {
        private readonly ILogger _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("GamePipeline.Kafka");
        private readonly KafkaStatisticsRegistry _statistics = services.GetRequiredService<KafkaStatisticsRegistry>();

        public void OnLog(LogMessage message) =>
            KafkaLog.Native(_logger, KafkaLog.ToLogLevel(message.Level), clientName, message.Facility, message.Message);

        public void OnError(Error error)
        {
            if (!settings.DisableMetrics)
            {
                KafkaTelemetry.ClientErrors.Add(1, new KeyValuePair<string, object?>("messaging.client.id", clientName), new KeyValuePair<string, object?>("error.type", error.Code.ToString()));
            }

            // librdkafka recovers from most errors by itself (reconnects); only fatal ones are errors for us.
            KafkaLog.ClientError(_logger, error.IsFatal ? LogLevel.Error : LogLevel.Warning, clientName, error.Code, error.Reason);
        }

        public void OnStatistics(string json) => _statistics.Record(clientName, json);
    }
}
