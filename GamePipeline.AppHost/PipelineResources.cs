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

    /// <summary>
    /// The lake (connection string <c>lake</c>: an absolute directory) and the catalog over it (connection
    /// string <c>catalog</c>: a DuckDB database file kept in the lake's <c>_catalog</c> folder).
    /// </summary>
    public static (IResourceBuilder<IResourceWithConnectionString> Lake, IResourceBuilder<IResourceWithConnectionString> Catalog) AddPipelineStorage(
        this IDistributedApplicationBuilder builder, PipelineSettings settings)
    {
        var lakePath = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, settings.Lake.Path));
        var catalogPath = Path.Combine(lakePath, "_catalog", "gamepipeline.duckdb");
        Directory.CreateDirectory(Path.GetDirectoryName(catalogPath)!);
        return (
            builder.AddConnectionString(ResourceNames.Lake, ReferenceExpression.Create($"{lakePath}")),
            builder.AddConnectionString(ResourceNames.Catalog, ReferenceExpression.Create($"{catalogPath}")));
    }

    /// <summary>
    /// A project's HTTP endpoint on a fixed port, served by the project itself (no proxy in between: Kestrel
    /// binds both 127.0.0.1 and ::1, so every client's "localhost" works, and nothing costs a hop).
    /// Port 0 lets Aspire choose (tests).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithFixedHttpPort(this IResourceBuilder<ProjectResource> project, int port) =>
        (port == 0 ? project.WithHttpEndpoint(name: "http") : project.WithHttpEndpoint(port: port, name: "http", isProxied: false))
            .WithHttpHealthCheck("/health");
}
