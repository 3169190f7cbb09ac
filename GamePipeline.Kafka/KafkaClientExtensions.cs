using Confluent.Kafka;
using GamePipeline.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Kafka producers and consumers from a connection string (<c>ConnectionStrings:{connectionName}</c>), with tracing
/// across Kafka headers, metrics, librdkafka's logs in the app's logging, and a health check each; registered as
/// the service's <see cref="IProducer{TKey,TValue}"/> / <see cref="IConsumer{TKey,TValue}"/>, or under a key.
/// Settings: see <see cref="KafkaClientSettings"/>.
/// </summary>
public static class KafkaClientExtensions
{
    /// <param name="clientName">Names the settings section, the client in logs and metrics, and its health check; <c>{connectionName}-producer</c> by default.</param>
    /// <param name="defaults">librdkafka properties the service tunes, which configuration may change.</param>
    /// <param name="configureSettings">What the service requires; runs last, so configuration cannot change it.</param>
    public static IHostApplicationBuilder AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        string? clientName = null,
        ProducerConfig? defaults = null,
        Action<KafkaProducerSettings>? configureSettings = null,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder = null) =>
        builder.AddKafkaProducer(serviceKey: null, connectionName, clientName ?? $"{connectionName}-producer", defaults, configureSettings, configureBuilder);

    /// <param name="name">The service key, and the client's name (settings section, logs, metrics, health check).</param>
    public static IHostApplicationBuilder AddKeyedKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string name,
        string connectionName,
        ProducerConfig? defaults = null,
        Action<KafkaProducerSettings>? configureSettings = null,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder = null) =>
        builder.AddKafkaProducer(serviceKey: name, connectionName, name, defaults, configureSettings, configureBuilder);

    /// <param name="clientName">Names the settings section, the client in logs and metrics, and its health check; <c>{connectionName}-consumer</c> by default.</param>
    /// <param name="defaults">librdkafka properties the service tunes, which configuration may change.</param>
    /// <param name="configureSettings">What the service requires; runs last, so configuration cannot change it.</param>
    public static IHostApplicationBuilder AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string connectionName,
        string? clientName = null,
        ConsumerConfig? defaults = null,
        Action<KafkaConsumerSettings>? configureSettings = null,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder = null) =>
        builder.AddKafkaConsumer(serviceKey: null, connectionName, clientName ?? $"{connectionName}-consumer", defaults, configureSettings, configureBuilder);

    /// <param name="name">The service key, and the client's name (settings section, logs, metrics, health check).</param>
    public static IHostApplicationBuilder AddKeyedKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string name,
        string connectionName,
        ConsumerConfig? defaults = null,
        Action<KafkaConsumerSettings>? configureSettings = null,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder = null) =>
        builder.AddKafkaConsumer(serviceKey: name, connectionName, name, defaults, configureSettings, configureBuilder);

    private static IHostApplicationBuilder AddKafkaProducer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string? serviceKey,
        string connectionName,
        string clientName,
        ProducerConfig? defaults,
        Action<KafkaProducerSettings>? configureSettings,
        Action<IServiceProvider, ProducerBuilder<TKey, TValue>>? configureBuilder)
    {
        var settings = builder.ReadSettings(new KafkaProducerSettings(), defaults, connectionName, clientName, configureSettings);
        builder.AddClient(serviceKey, settings, clientName, sp =>
        {
            var events = new KafkaClientEvents(clientName, settings, sp);
            var producerBuilder = new ProducerBuilder<TKey, TValue>(settings.Config)
                .SetLogHandler((_, message) => events.OnLog(message))
                .SetErrorHandler((_, error) => events.OnError(error));
            if (!settings.DisableMetrics)
            {
                producerBuilder.SetStatisticsHandler((_, json) => events.OnStatistics(json));
            }

            configureBuilder?.Invoke(sp, producerBuilder);
            var producer = producerBuilder.Build();
            return settings.DisableTracing ? producer : new InstrumentedProducer<TKey, TValue>(producer, clientName);
        });
        return builder;
    }

    private static IHostApplicationBuilder AddKafkaConsumer<TKey, TValue>(
        this IHostApplicationBuilder builder,
        string? serviceKey,
        string connectionName,
        string clientName,
        ConsumerConfig? defaults,
        Action<KafkaConsumerSettings>? configureSettings,
        Action<IServiceProvider, ConsumerBuilder<TKey, TValue>>? configureBuilder)
    {
        var settings = builder.ReadSettings(new KafkaConsumerSettings(), defaults, connectionName, clientName, configureSettings);
        builder.AddClient(serviceKey, settings, clientName, sp =>
        {
            var events = new KafkaClientEvents(clientName, settings, sp);
            var consumerBuilder = new ConsumerBuilder<TKey, TValue>(settings.Config)
                .SetLogHandler((_, message) => events.OnLog(message))
                .SetErrorHandler((_, error) => events.OnError(error));
            if (!settings.DisableMetrics)
            {
                consumerBuilder.SetStatisticsHandler((_, json) => events.OnStatistics(json));
            }

            configureBuilder?.Invoke(sp, consumerBuilder);
            var consumer = consumerBuilder.Build();
            return settings.DisableTracing ? consumer : new InstrumentedConsumer<TKey, TValue>(consumer, clientName, settings.Config.GroupId);
        });
        return builder;
    }

    /// <summary>The service's defaults, configuration, the connection string, then code (see <see cref="KafkaClientSettings"/>).</summary>
    private static TSettings ReadSettings<TSettings>(this IHostApplicationBuilder builder, TSettings settings, ClientConfig? defaults, string connectionName, string clientName, Action<TSettings>? configureSettings)
        where TSettings : KafkaClientSettings
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        settings.Read(defaults, builder.Configuration, connectionName, clientName);
        configureSettings?.Invoke(settings);

        var config = settings.ClientConfig;
        config.BootstrapServers ??= settings.ConnectionString is { Length: > 0 } servers
            ? servers
            : throw new InvalidOperationException(
                $"Kafka connection string '{connectionName}' is missing: set ConnectionStrings:{connectionName} (the AppHost does this through WithReference).");
        if (!settings.DisableMetrics && settings.StatisticsInterval > TimeSpan.Zero && config.StatisticsIntervalMs is null)
        {
            config.StatisticsIntervalMs = (int)settings.StatisticsInterval.TotalMilliseconds;
        }

        return settings;
    }

    /// <summary>The client (keyed or not), its health check and its telemetry, each unless its settings turn it off.</summary>
    private static void AddClient<TClient>(this IHostApplicationBuilder builder, string? serviceKey, KafkaClientSettings settings, string clientName, Func<IServiceProvider, TClient> create)
        where TClient : class, IClient
    {
        builder.Services.TryAddSingleton<KafkaStatisticsRegistry>();
        if (serviceKey is null)
        {
            builder.Services.AddSingleton(create);
        }
        else
        {
            builder.Services.AddKeyedSingleton(serviceKey, (sp, _) => create(sp));
        }

        if (!settings.DisableHealthChecks)
        {
            var healthCheckKey = $"kafka-{clientName}";
            builder.Services.AddKeyedSingleton(healthCheckKey, (sp, _) => new KafkaClientHealthCheck(
                serviceKey is null ? sp.GetRequiredService<TClient>() : sp.GetRequiredKeyedService<TClient>(serviceKey),
                settings.HealthCheckTimeout));
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                healthCheckKey,
                sp => sp.GetRequiredKeyedService<KafkaClientHealthCheck>(healthCheckKey),
                HealthStatus.Unhealthy,
                ["kafka", "ready"]));
        }

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(KafkaTelemetry.ActivitySourceName));
        }

        if (!settings.DisableMetrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(KafkaTelemetry.MeterName));
        }
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
