using Microsoft.Extensions.DependencyInjection.Extensions;
using Confluent.Kafka;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StreamWriter.Writing;

namespace StreamWriter;

public static class StreamWriterExtensions
{
    public const string ConsumerClientName = "streamwriter";

    public static IHostApplicationBuilder AddStreamWriter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StreamWriterOptions>()
            .BindConfiguration(StreamWriterOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var settings = builder.Configuration.GetSection(StreamWriterOptions.Section).Get<StreamWriterOptions>() ?? new StreamWriterOptions();

        builder.AddLakeStorage();
        builder.Services.AddSingleton<StreamWriterMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LakeWriter>();
        builder.Services.AddSingleton<RetentionLosses>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "retention-losses", sp => sp.GetRequiredService<RetentionLosses>(), HealthStatus.Unhealthy, []));
        // The tuning (docs/streamwriter.md, "Kafka consumer") is a default configuration may change; what
        // exactly-once relies on is set after configuration.
        builder.AddKafkaConsumer<string?, ReadOnlyMemory<byte>>(ResourceNames.Kafka, ConsumerClientName, ConsumerDefaults(settings), clientSettings =>
        {
            var config = clientSettings.Config;
            config.GroupId = settings.GroupId;
            // Positions are stored only after a lake commit and sent to Kafka in the background; they feed lag
            // metrics, tools and GameApi's backpressure, never recovery (which reads the lake's commit log).
            config.EnableAutoCommit = true;
            config.EnableAutoOffsetStore = false;
            // Only used when Kafka forgot the position we asked for (a new cluster): start from its beginning.
            config.AutoOffsetReset = AutoOffsetReset.Earliest;
            config.GroupProtocol = settings.GroupProtocol;
            if (settings.GroupProtocol == GroupProtocol.Classic)
            {
                config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.RoundRobin;
            }

            // A span per record would be a million spans per million events; each commit's span links to the
            // producers' traces instead, and every row keeps its trace id.
            clientSettings.DisableTracing = true;
        }, (services, consumer) =>
        {
            var writer = services.GetRequiredService<LakeWriter>();
            consumer.SetValueDeserializer(new ReusedBufferDeserializer());
            consumer.SetPartitionsAssignedHandler((c, partitions) => writer.OnAssigned(c, partitions));
            consumer.SetPartitionsRevokedHandler((c, partitions) => writer.OnRevoked(c, partitions));
            consumer.SetPartitionsLostHandler((c, partitions) => writer.OnLost(c, partitions));
        });
        builder.Services.AddHostedService<LegacyLayoutCheck>();
        builder.Services.AddHostedService<StreamWriterWorker>();
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(StreamWriterMetrics.MeterName))
            .WithTracing(tracing => tracing.AddSource(StreamWriterMetrics.ActivitySourceName));
        return builder;
    }

    private static ConsumerConfig ConsumerDefaults(StreamWriterOptions settings)
    {
        var defaults = new ConsumerConfig
        {
            // How often the written positions reach Kafka, where GameApi's backpressure reads them.
            AutoCommitIntervalMs = 250,
            // A backlog's partitions fetched in large steps.
            FetchMaxBytes = 64 * 1024 * 1024,
            QueuedMaxMessagesKbytes = 256 * 1024,
            // librdkafka's 1 s leaves a partition whose prefetch queue is full unfetched for up to a second.
            FetchQueueBackoffMs = 10,
            // A partition resumed while a fetch waits at the broker is first asked for in the next fetch.
            FetchWaitMaxMs = 50,
        };
        if (settings.GroupProtocol == GroupProtocol.Classic)
        {
            // Classic groups only (the consumer protocol refuses them): a fast takeover.
            defaults.SessionTimeoutMs = 10_000;
            defaults.HeartbeatIntervalMs = 1_000;
        }

        return defaults;
    }
}
