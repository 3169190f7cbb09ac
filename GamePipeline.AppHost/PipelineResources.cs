using Aspire.Hosting.ApplicationModel;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;

namespace GamePipeline.AppHost;

/// <summary>The topology-specific wiring, so Program.cs reads as the pipeline itself.</summary>
internal static class PipelineResources
{
    public static IResourceBuilder<IResourceWithConnectionString> AddPipelineKafka(this IDistributedApplicationBuilder builder, PipelineSettings settings) =>
        settings.Topology switch
        {
            PipelineTopology.Embedded => builder
                .AddEmbeddedKafka(ResourceNames.Kafka, settings.Kafka.Port, settings.Kafka.Brokers)
                .WithTopic(Topics.Events, settings.Kafka.EventsPartitions),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Topology, "Unknown Pipeline:Topology"),
        };

    /// <summary>A project's HTTP endpoint on a fixed port (0: let Aspire choose), with its readiness probe.</summary>
    public static IResourceBuilder<ProjectResource> WithFixedHttpPort(this IResourceBuilder<ProjectResource> project, int port) =>
        project
            .WithHttpEndpoint(port: port == 0 ? null : port, name: "http")
            .WithHttpHealthCheck("/health");
}
