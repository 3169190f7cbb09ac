using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace GamePipeline.Hosting.Kafka;

/// <summary>
/// A single-node KRaft Kafka broker in a container, with two listeners: <c>tcp</c> for processes on the host
/// (advertised as localhost and the published port) and <c>internal</c> for other containers (advertised by
/// the container's name on the network Aspire creates).
/// </summary>
public sealed class KafkaContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public const string HostEndpointName = "tcp";
    public const string InternalEndpointName = "internal";
    internal const int HostPort = 9092;
    internal const int InternalPort = 9093;

    public EndpointReference HostEndpoint => field ??= new(this, HostEndpointName);

    /// <summary>The bootstrap address for the services (they run on the host).</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{HostEndpoint.Property(EndpointProperty.Host)}:{HostEndpoint.Property(EndpointProperty.Port)}");

    /// <summary>The bootstrap address for other containers (Kafka UI).</summary>
    public ReferenceExpression InternalBootstrap =>
        ReferenceExpression.Create($"{Name}:{InternalPort.ToString(CultureInfo.InvariantCulture)}");
}

public static class KafkaContainerBuilderExtensions
{
    public const string Image = "confluentinc/confluent-local";
    public const string Tag = "8.1.0";
    public const string KafkaUiImage = "provectuslabs/kafka-ui";
    public const string KafkaUiTag = "v0.7.2";

    /// <summary>
    /// Adds a Kafka broker container (<c>confluentinc/confluent-local</c>, KRaft, no ZooKeeper) published on
    /// <paramref name="port"/> (null: any free port), with a produce-based health check.
    /// </summary>
    public static IResourceBuilder<KafkaContainerResource> AddKafkaContainer(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        var resource = new KafkaContainerResource(name);
        string? bootstrap = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, cancellationToken) =>
            bootstrap = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken));
        var healthCheckName = builder.Services.AddKafkaProduceHealthCheck(
            name, () => bootstrap ?? throw new DistributedApplicationException($"Kafka '{name}' has no connection string yet"));

        return builder.AddResource(resource)
            .WithImage(Image, Tag)
            .WithImageRegistry("docker.io")
            .WithEndpoint(targetPort: KafkaContainerResource.HostPort, port: port, name: KafkaContainerResource.HostEndpointName, scheme: "tcp")
            .WithEndpoint(targetPort: KafkaContainerResource.InternalPort, name: KafkaContainerResource.InternalEndpointName, scheme: "tcp")
            .WithEnvironment(context =>
            {
                var hostEndpoint = resource.HostEndpoint;
                context.EnvironmentVariables["KAFKA_LISTENERS"] =
                    $"PLAINTEXT://localhost:29092,CONTROLLER://localhost:29093,PLAINTEXT_HOST://0.0.0.0:{KafkaContainerResource.HostPort},PLAINTEXT_INTERNAL://0.0.0.0:{KafkaContainerResource.InternalPort}";
                context.EnvironmentVariables["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] =
                    "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT,PLAINTEXT_INTERNAL:PLAINTEXT";
                context.EnvironmentVariables["KAFKA_ADVERTISED_LISTENERS"] = ReferenceExpression.Create(
                    $"PLAINTEXT://localhost:29092,PLAINTEXT_HOST://localhost:{hostEndpoint.Property(EndpointProperty.Port)},PLAINTEXT_INTERNAL://{resource.Name}:{KafkaContainerResource.InternalPort.ToString(CultureInfo.InvariantCulture)}");
            })
            .WithHealthCheck(healthCheckName);
    }

    /// <summary>
    /// How long a consumer-group member may go without a heartbeat before its partitions move (the broker's
    /// group.consumer.session.timeout.ms, KIP-848 groups; Kafka's own minimum of 45 s is lowered with it).
    /// </summary>
    public static IResourceBuilder<KafkaContainerResource> WithGroupSessionTimeout(this IResourceBuilder<KafkaContainerResource> builder, TimeSpan sessionTimeout)
    {
        var sessionMs = ((long)sessionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var heartbeatMs = ((long)Math.Min(1_000, sessionTimeout.TotalMilliseconds / 3)).ToString(CultureInfo.InvariantCulture);
        return builder
            .WithEnvironment("KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS", sessionMs)
            .WithEnvironment("KAFKA_GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS", sessionMs)
            .WithEnvironment("KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS", heartbeatMs)
            .WithEnvironment("KAFKA_GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS", heartbeatMs);
    }

    /// <summary>Creates the topic at start-up with the partitions the pipeline expects (auto-creation would pick the broker default).</summary>
    public static IResourceBuilder<KafkaContainerResource> WithTopic(this IResourceBuilder<KafkaContainerResource> builder, string topic, int partitions)
    {
        var first = !builder.Resource.Annotations.OfType<KafkaTopicAnnotation>().Any();
        builder.WithAnnotation(new KafkaTopicAnnotation(topic, partitions));
        if (first)
        {
            builder.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(builder.Resource, (e, cancellationToken) =>
                CreateTopicsAsync(builder.Resource, cancellationToken));
        }

        return builder;
    }

    private static async Task CreateTopicsAsync(KafkaContainerResource resource, CancellationToken cancellationToken)
    {
        var bootstrap = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var topics = resource.Annotations.OfType<KafkaTopicAnnotation>()
            .Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = 1 })
            .ToList();
        try
        {
            await admin.CreateTopicsAsync(topics);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // A restarted container with a persistent volume already has them.
        }
    }

    /// <summary>Adds Kafka UI (a web console for topics, messages and consumer groups) over the internal listener.</summary>
    public static IResourceBuilder<KafkaContainerResource> WithKafkaUI(this IResourceBuilder<KafkaContainerResource> builder, int? port = null)
    {
        var kafka = builder.Resource;
        builder.ApplicationBuilder.AddContainer($"{kafka.Name}-ui", KafkaUiImage, KafkaUiTag)
            .WithImageRegistry("docker.io")
            .WithHttpEndpoint(targetPort: 8080, port: port, name: "http")
            .WithEnvironment("KAFKA_CLUSTERS_0_NAME", kafka.Name)
            .WithEnvironment("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS", kafka.InternalBootstrap)
            .WithHttpHealthCheck("/actuator/health")
            .WithParentRelationship(kafka)
            .WaitFor(builder);
        return builder;
    }
}

/// <summary>A topic the pipeline expects on a Kafka resource.</summary>
public sealed record KafkaTopicAnnotation(string Name, int Partitions) : IResourceAnnotation;
