using Aspire.Hosting.ApplicationModel;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;

namespace GamePipeline.AppHost;

/// <summary>
/// The lake and the catalog as the services see them (connection strings <c>lake</c> and <c>catalog</c>), the lake
/// as the SQL engine reads it (where CatalogSetup points the tables), and the servers each one needs running.
/// </summary>
internal sealed record PipelineStorage(
    IResourceBuilder<IResourceWithConnectionString> Lake,
    IResourceBuilder<IResourceWithConnectionString> Catalog,
    ReferenceExpression EngineLakeLocation,
    IReadOnlyList<IResourceBuilder<IResource>> LakeServers,
    IReadOnlyList<IResourceBuilder<IResource>> CatalogServers);

/// <summary>The topology-specific wiring, so Program.cs reads as the pipeline itself.</summary>
internal static class PipelineResources
{
    public const string EngineLakeLocationVariable = "CatalogSetup__LakeLocation";

    public static IResourceBuilder<IResourceWithConnectionString> AddPipelineKafka(this IDistributedApplicationBuilder builder, PipelineSettings settings)
    {
        switch (settings.Topology)
        {
            case PipelineTopology.Embedded:
                return builder
                    .AddEmbeddedKafka(ResourceNames.Kafka, settings.Kafka.Port, settings.Kafka.Brokers)
                    .WithTopic(Topics.Events, settings.Kafka.EventsPartitions)
                    .WithGroupSessionTimeout(settings.Kafka.SessionTimeout);
            case PipelineTopology.Containers:
                var kafka = builder
                    .AddKafkaContainer(ResourceNames.Kafka, settings.Kafka.Port == 0 ? null : settings.Kafka.Port)
                    .WithTopic(Topics.Events, settings.Kafka.EventsPartitions)
                    .WithGroupSessionTimeout(settings.Kafka.SessionTimeout);
                return settings.Containers.KafkaUiEnabled ? kafka.WithKafkaUI(settings.Containers.KafkaUi) : kafka;
            case PipelineTopology.External:
                return builder.AddConnectionString(ResourceNames.Kafka);
            default:
                throw new ArgumentOutOfRangeException(nameof(settings), settings.Topology, "Unknown Pipeline:Topology");
        }
    }

    public static PipelineStorage AddPipelineStorage(this IDistributedApplicationBuilder builder, PipelineSettings settings)
    {
        switch (settings.Topology)
        {
            case PipelineTopology.Embedded:
                // The lake is a local directory; the catalog a DuckDB file kept in the lake's _catalog folder.
                var lakePath = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, settings.Lake.Path));
                var catalogPath = Path.Combine(lakePath, "_catalog", "gamepipeline.duckdb");
                Directory.CreateDirectory(Path.GetDirectoryName(catalogPath)!);
                return new PipelineStorage(
                    builder.AddConnectionString(ResourceNames.Lake, ReferenceExpression.Create($"{lakePath}")),
                    builder.AddConnectionString(ResourceNames.Catalog, ReferenceExpression.Create($"{catalogPath}")),
                    ReferenceExpression.Create($"{lakePath}"),
                    [],
                    []);
            case PipelineTopology.Containers:
                var hdfs = builder.AddHdfs(settings.Containers);
                var metastore = builder.AddHiveMetastore(hdfs);
                var trino = builder.AddTrino(metastore, settings.Containers.Trino);
                return new PipelineStorage(
                    builder.AddConnectionString(ResourceNames.Lake, hdfs.WebHdfsLake(settings.Lake.HdfsRoot)),
                    builder.AddConnectionString(ResourceNames.Catalog, trino.TrinoUrl()),
                    ReferenceExpression.Create($"{ClusterResources.HdfsUri}{settings.Lake.HdfsRoot}"),
                    [hdfs.NameNode, hdfs.DataNode],
                    [trino]);
            case PipelineTopology.External:
                var lake = builder.AddConnectionString(ResourceNames.Lake);
                return new PipelineStorage(
                    lake,
                    builder.AddConnectionString(ResourceNames.Catalog),
                    settings.Lake.EngineLocation is { Length: > 0 } location ? ReferenceExpression.Create($"{location}") : ReferenceExpression.Create($"{lake.Resource}"),
                    [],
                    []);
            default:
                throw new ArgumentOutOfRangeException(nameof(settings), settings.Topology, "Unknown Pipeline:Topology");
        }
    }

    /// <summary>
    /// Tells GameApi how much Kafka keeps per partition, so that it stops accepting events before any could be
    /// dropped unwritten. The embedded Kafka's limits are fixed; a Kafka container keeps a week of events (no size
    /// limit); an external cluster's limits are GameApi's own configuration (<c>Ingest:Backpressure</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRetentionOf(this IResourceBuilder<ProjectResource> gameApi, IResourceBuilder<IResourceWithConnectionString> kafka) =>
        kafka.Resource is EmbeddedKafkaResource
            ? gameApi
                .WithEnvironment("Ingest__Backpressure__RetentionBytes", MockKafkaCluster.RetainedBytesPerPartition.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithEnvironment("Ingest__Backpressure__RetentionBatches", MockKafkaCluster.RetainedBatchesPerPartition.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : gameApi;

    /// <summary>
    /// With the embedded Kafka's few megabytes per partition, a writer working through a backlog must not gather
    /// its usual large batches (up to 128 MiB or 10 s) before committing: GameApi refuses events once half of what
    /// Kafka keeps is unwritten. A quarter of that (payload bytes, at least as many as Kafka stores) per batch.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBatchesWithinRetentionOf(this IResourceBuilder<ProjectResource> writer, IResourceBuilder<IResourceWithConnectionString> kafka) =>
        kafka.Resource is EmbeddedKafkaResource
            ? writer.WithEnvironment("StreamWriter__FlushMaxBytes", (MockKafkaCluster.RetainedBytesPerPartition / 4).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : writer;

    /// <summary>References the lake and waits for the servers behind it.</summary>
    public static IResourceBuilder<ProjectResource> WithLake(this IResourceBuilder<ProjectResource> project, PipelineStorage storage) =>
        project.WithReference(storage.Lake).WaitForAll(storage.LakeServers);

    /// <summary>References the catalog (the SQL engine) and waits for the servers behind it.</summary>
    public static IResourceBuilder<ProjectResource> WithCatalog(this IResourceBuilder<ProjectResource> project, PipelineStorage storage) =>
        project.WithReference(storage.Catalog).WaitForAll(storage.CatalogServers);

    private static IResourceBuilder<ProjectResource> WaitForAll(this IResourceBuilder<ProjectResource> project, IEnumerable<IResourceBuilder<IResource>> servers)
    {
        foreach (var server in servers)
        {
            project.WaitFor(server);
        }

        return project;
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
