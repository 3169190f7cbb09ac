using System.Collections.Immutable;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GamePipeline.Hosting.Kafka;

public static class EmbeddedKafkaBuilderExtensions
{
    /// <summary>What a user can run instead when the embedded Kafka cannot start.</summary>
    public const string Alternatives =
        "Run Kafka as a container instead (--Pipeline:Topology=containers, needs Docker), or point the services at a running cluster (--Pipeline:Topology=external with ConnectionStrings:kafka).";

    /// <summary>
    /// Adds a Kafka cluster that runs inside the AppHost (librdkafka's mock cluster) and is reachable by any
    /// client on this machine at <c>localhost:<paramref name="port"/></c>. Port 0: the system chooses one when the
    /// cluster starts, before any service receives the connection string.
    /// </summary>
    public static IResourceBuilder<EmbeddedKafkaResource> AddEmbeddedKafka(this IDistributedApplicationBuilder builder, string name, int port = 9092, int brokers = 1)
    {
        var resource = new EmbeddedKafkaResource(name, "localhost", port) { Brokers = brokers };
        var healthCheckName = builder.Services.AddKafkaProduceHealthCheck(name, () => resource.BootstrapServers);
        builder.Services.AddKeyedSingleton(name, (_, _) => new EmbeddedKafkaRuntime());

        return builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Kafka (embedded)",
                State = KnownResourceStates.NotStarted,
                Properties =
                [
                    new ResourcePropertySnapshot("kafka.bootstrap", resource.BootstrapServers),
                    new ResourcePropertySnapshot("kafka.implementation", "librdkafka mock cluster (in the AppHost process, in memory)"),
                ],
            })
            .WithHealthCheck(healthCheckName)
            .OnInitializeResource(StartAsync);
    }

    /// <summary>Creates a topic when the cluster starts (the mock cluster does not implement CreateTopics).</summary>
    public static IResourceBuilder<EmbeddedKafkaResource> WithTopic(this IResourceBuilder<EmbeddedKafkaResource> builder, string topic, int partitions)
    {
        builder.Resource.AddTopic(new EmbeddedKafkaTopic(topic, partitions));
        return builder;
    }

    /// <summary>How long a consumer-group member may go without a heartbeat before its partitions move (KIP-848 groups).</summary>
    public static IResourceBuilder<EmbeddedKafkaResource> WithGroupSessionTimeout(this IResourceBuilder<EmbeddedKafkaResource> builder, TimeSpan sessionTimeout)
    {
        builder.Resource.GroupSessionTimeout = sessionTimeout;
        return builder;
    }

    private static async Task StartAsync(EmbeddedKafkaResource resource, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        var logger = e.Logger;
        await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.Starting });
        await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(resource, e.Services), cancellationToken);

        EmbeddedKafkaServer server;
        try
        {
            server = EmbeddedKafkaServer.Start(resource.Port, resource.Brokers, resource.Topics, resource.Host, resource.GroupSessionTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever the cause (the port is taken, librdkafka has no build for this platform, …), the resource
            // fails where the dashboard shows it, and says what else runs the pipeline.
            logger.LogError(ex, "Embedded Kafka could not start on {Bootstrap}: {Reason} {Alternatives}", resource.BootstrapServers, ex.Message, Alternatives);
            await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.FailedToStart });
            return;
        }

        resource.Port = server.Port;
        await e.Services.GetRequiredKeyedService<EmbeddedKafkaRuntime>(resource.Name).SetAsync(server);
        logger.LogInformation(
            "Embedded Kafka listening on {Bootstrap} (brokers {Brokers}; librdkafka {Library}); topics: {Topics}",
            server.BootstrapServers, server.BrokerAddresses, MockKafkaCluster.NativeLibraryPath,
            string.Join(", ", resource.Topics.Select(t => $"{t.Name} ({t.Partitions} partitions)")));

        await e.Notifications.PublishUpdateAsync(resource, s => s with
        {
            State = KnownResourceStates.Running,
            StartTimeStamp = DateTime.UtcNow,
            Urls = [new UrlSnapshot("tcp", $"tcp://{server.BootstrapServers}", IsInternal: false)],
            Properties = s.Properties
                .SetResourceProperty("kafka.bootstrap", server.BootstrapServers)
                .SetResourceProperty("kafka.brokers", server.BrokerAddresses)
                .SetResourceProperty("kafka.topics", string.Join(", ", resource.Topics.Select(t => $"{t.Name}:{t.Partitions}")))
                .SetResourceProperty("kafka.group.session.timeout", resource.GroupSessionTimeout.ToString()),
        });
        await e.Eventing.PublishAsync(new ConnectionStringAvailableEvent(resource, e.Services), cancellationToken);
    }

    private static ImmutableArray<ResourcePropertySnapshot> SetResourceProperty(this ImmutableArray<ResourcePropertySnapshot> properties, string name, object value) =>
        [.. properties.Where(p => p.Name != name), new ResourcePropertySnapshot(name, value)];
}

/// <summary>Owns the running embedded cluster so the AppHost's shutdown stops it.</summary>
internal sealed class EmbeddedKafkaRuntime : IAsyncDisposable
{
    private EmbeddedKafkaServer? _server;

    public async ValueTask SetAsync(EmbeddedKafkaServer server)
    {
        var previous = Interlocked.Exchange(ref _server, server);
        if (previous is not null)
        {
            await previous.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync();
        }
    }
}
