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
        // What exactly-once relies on is set here; what may be tuned (fetching, the commit interval) is in
        // appsettings.json, explained in docs/streamwriter.md.
        builder.AddKafkaConsumer<string?, ReadOnlyMemory<byte>>(ResourceNames.Kafka, ConsumerClientName, clientSettings =>
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
                // Classic-only properties, so not in appsettings.json (the consumer protocol refuses them): the
                // defaults for a fast takeover, unless configuration set them.
                config.SessionTimeoutMs ??= 10_000;
                config.HeartbeatIntervalMs ??= 1_000;
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
        builder.Services.AddHostedService<StreamWriterWorker>();
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(StreamWriterMetrics.MeterName))
            .WithTracing(tracing => tracing.AddSource(StreamWriterMetrics.ActivitySourceName));
        return builder;
    }
}
