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
        builder.Services.AddSingleton<LakeWriter>();
        builder.Services.AddSingleton<RetentionLosses>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "retention-losses", sp => sp.GetRequiredService<RetentionLosses>(), HealthStatus.Unhealthy, []));
        builder.AddKafkaConsumer<string?, ReadOnlyMemory<byte>>(ResourceNames.Kafka, ConsumerClientName, config =>
        {
            config.GroupId = settings.GroupId;
            // Positions are stored only after a lake commit and sent to Kafka in the background four times a second
            // (GameApi's backpressure counts what lies beyond them as unwritten); they feed lag metrics, tools and
            // that backpressure, never recovery (which reads the lake's commit log).
            config.EnableAutoCommit = true;
            config.AutoCommitIntervalMs ??= 250;
            config.EnableAutoOffsetStore = false;
            // Only used when Kafka forgot the position we asked for (a new cluster): start from its beginning.
            config.AutoOffsetReset = AutoOffsetReset.Earliest;
            config.GroupProtocol = settings.GroupProtocol;
            if (settings.GroupProtocol == GroupProtocol.Classic)
            {
                config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.RoundRobin;
                config.SessionTimeoutMs ??= 10_000;
                config.HeartbeatIntervalMs ??= 1_000;
            }

            config.FetchMaxBytes ??= 64 * 1024 * 1024;
            config.QueuedMaxMessagesKbytes ??= 256 * 1024;
            // A partition whose prefetched records are over the queue thresholds is not fetched again for this
            // long. librdkafka's 1 s default left the writer idle for 250–500 ms at a time while it worked through
            // a backlog (it drains its queue slower than the raw loop does): 104–109K → 136–139K events/s in bench/writer.
            config.FetchQueueBackoffMs ??= 10;
            // A fetch for partitions with nothing new waits this long at the broker, and a partition resumed
            // meanwhile is only asked for in the next fetch. With librdkafka's 500 ms default, each group of a
            // backlog read in groups (BacklogReadPartitions) started ~300 ms late: 214–224K → 233–236K events/s.
            config.FetchWaitMaxMs ??= 50;
        }, (services, consumer) =>
        {
            var writer = services.GetRequiredService<LakeWriter>();
            consumer.SetValueDeserializer(new ReusedBufferDeserializer());
            consumer.SetPartitionsAssignedHandler((c, partitions) => writer.OnAssigned(c, partitions));
            consumer.SetPartitionsRevokedHandler((c, partitions) => writer.OnRevoked(c, partitions));
            consumer.SetPartitionsLostHandler((c, partitions) => writer.OnLost(c, partitions));
        },
        // A span per record would be a million spans per million events; each commit's span links to the
        // producers' traces instead, and every row keeps its trace id.
        clientSettings => clientSettings.DisableTracing = true);
        builder.Services.AddHostedService<StreamWriterWorker>();
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(StreamWriterMetrics.MeterName))
            .WithTracing(tracing => tracing.AddSource(StreamWriterMetrics.ActivitySourceName));
        return builder;
    }
}
