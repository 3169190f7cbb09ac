using Aspire.Hosting.ApplicationModel;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;

namespace GamePipeline.AppHost;

/// <summary>
/// What the services run on: Kafka (connection string <c>kafka</c>), the lake and the catalog as the services see
/// them (<c>lake</c>, <c>catalog</c>), the lake as the SQL engine reads it (where CatalogSetup points the tables), and
/// the servers each one needs running.
/// </summary>
internal sealed record PipelineInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Kafka,
    IResourceBuilder<IResourceWithConnectionString> Lake,
    IResourceBuilder<IResourceWithConnectionString> Catalog,
    ReferenceExpression EngineLakeLocation,
    IReadOnlyList<IResourceBuilder<IResource>> LakeServers,
    IReadOnlyList<IResourceBuilder<IResource>> CatalogServers);

/// <summary>The topology-specific wiring, so Program.cs reads as the pipeline itself.</summary>
internal static class PipelineResources
{
    /// <summary>The whole infrastructure of the configured topology (<c>Pipeline:Topology</c>).</summary>
    public static PipelineInfrastructure AddPipelineInfrastructure(this IDistributedApplicationBuilder builder, PipelineSettings settings) =>
        settings.Topology switch
        {
            PipelineTopology.Embedded => builder.AddEmbeddedInfrastructure(settings),
            PipelineTopology.Containers => builder.AddContainerInfrastructure(settings),
            PipelineTopology.External => builder.AddExternalInfrastructure(settings),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Topology, "Unknown Pipeline:Topology"),
        };

    /// <summary>Kafka in this process (librdkafka's mock cluster); the lake a local directory; the catalog a DuckDB file in its <c>_catalog</c> folder.</summary>
    private static PipelineInfrastructure AddEmbeddedInfrastructure(this IDistributedApplicationBuilder builder, PipelineSettings settings)
    {
        var kafka = builder
            .AddEmbeddedKafka(ResourceNames.Kafka, settings.Kafka.Port, settings.Kafka.Brokers)
            .WithTopic(Topics.Events, settings.Kafka.EventsPartitions)
            .WithGroupSessionTimeout(settings.Kafka.SessionTimeout);
        var lakePath = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, settings.Lake.Path));
        var catalogPath = Path.Combine(lakePath, "_catalog", "gamepipeline.duckdb");
        Directory.CreateDirectory(Path.GetDirectoryName(catalogPath)!);
        return new PipelineInfrastructure(
            kafka,
            builder.AddConnectionString(ResourceNames.Lake, ReferenceExpression.Create($"{lakePath}")),
            builder.AddConnectionString(ResourceNames.Catalog, ReferenceExpression.Create($"{catalogPath}")),
            ReferenceExpression.Create($"{lakePath}"),
            [],
            []);
    }

    /// <summary>The seed's cluster as containers: Kafka, HDFS, a Hive metastore and Trino.</summary>
    private static PipelineInfrastructure AddContainerInfrastructure(this IDistributedApplicationBuilder builder, PipelineSettings settings)
    {
        var kafka = builder
            .AddKafkaContainer(ResourceNames.Kafka, settings.Kafka.Port == 0 ? null : settings.Kafka.Port)
            .WithTopic(Topics.Events, settings.Kafka.EventsPartitions)
            .WithGroupSessionTimeout(settings.Kafka.SessionTimeout);
        var hdfs = builder.AddHdfs(settings.Containers);
        var metastore = builder.AddHiveMetastore(hdfs);
        var trino = builder.AddTrino(metastore, settings.Containers.Trino);
        return new PipelineInfrastructure(
            settings.Containers.KafkaUiEnabled ? kafka.WithKafkaUI(settings.Containers.KafkaUi) : kafka,
            builder.AddConnectionString(ResourceNames.Lake, hdfs.WebHdfsLake(settings.Lake.HdfsRoot)),
            builder.AddConnectionString(ResourceNames.Catalog, trino.TrinoUrl()),
            ReferenceExpression.Create($"{ClusterResources.HdfsUri}{settings.Lake.HdfsRoot}"),
            [hdfs.NameNode, hdfs.DataNode],
            [trino]);
    }

    /// <summary>Clusters that run elsewhere, named by connection strings (<c>ConnectionStrings:kafka</c>, <c>lake</c>, <c>catalog</c>).</summary>
    private static PipelineInfrastructure AddExternalInfrastructure(this IDistributedApplicationBuilder builder, PipelineSettings settings)
    {
        var lake = builder.AddConnectionString(ResourceNames.Lake);
        return new PipelineInfrastructure(
            builder.AddConnectionString(ResourceNames.Kafka),
            lake,
            builder.AddConnectionString(ResourceNames.Catalog),
            settings.Lake.EngineLocation is { Length: > 0 } location ? ReferenceExpression.Create($"{location}") : ReferenceExpression.Create($"{lake.Resource}"),
            [],
            []);
    }

    /// <summary>
    /// Tells GameApi how much Kafka keeps per partition, so that it stops accepting events before any could be
    /// dropped unwritten. The embedded Kafka's limits are fixed; a Kafka container keeps a week of events (no size
    /// limit); an external cluster's limits are GameApi's own configuration (<c>Ingest:Backpressure</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRetentionOf(this IResourceBuilder<ProjectResource> gameApi, IResourceBuilder<IResourceWithConnectionString> kafka) =>
        kafka.Resource is EmbeddedKafkaResource
            ? gameApi
                .WithSetting(ServiceSettings.RetentionBytes, MockKafkaCluster.RetainedBytesPerPartition)
                .WithSetting(ServiceSettings.RetentionBatches, MockKafkaCluster.RetainedBatchesPerPartition)
            : gameApi;

    /// <summary>
    /// With the embedded Kafka's few megabytes per partition, a writer working through a backlog must not gather
    /// its usual large batches (up to 128 MiB or 10 s) before committing: GameApi refuses events once half of what
    /// Kafka keeps is unwritten. A quarter of that (payload bytes, at least as many as Kafka stores) per batch.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBatchesWithinRetentionOf(this IResourceBuilder<ProjectResource> writer, IResourceBuilder<IResourceWithConnectionString> kafka) =>
        kafka.Resource is EmbeddedKafkaResource
            ? writer.WithSetting(ServiceSettings.FlushMaxBytes, MockKafkaCluster.RetainedBytesPerPartition / 4)
            : writer;

    /// <summary>References the lake and waits for the servers behind it.</summary>
    public static IResourceBuilder<ProjectResource> WithLake(this IResourceBuilder<ProjectResource> project, PipelineInfrastructure infrastructure) =>
        project.WithReference(infrastructure.Lake).WaitForAll(infrastructure.LakeServers);

    /// <summary>References the catalog (the SQL engine) and waits for the servers behind it.</summary>
    public static IResourceBuilder<ProjectResource> WithCatalog(this IResourceBuilder<ProjectResource> project, PipelineInfrastructure infrastructure) =>
        project.WithReference(infrastructure.Catalog).WaitForAll(infrastructure.CatalogServers);

    /// <summary>Where CatalogSetup points the tables: the lake as the SQL engine reads it.</summary>
    public static IResourceBuilder<ProjectResource> WithEngineLakeLocation(this IResourceBuilder<ProjectResource> catalogSetup, PipelineInfrastructure infrastructure) =>
        catalogSetup.WithEnvironment(ServiceSettings.EnvironmentVariable(ServiceSettings.CatalogSetupLakeLocation), infrastructure.EngineLakeLocation);

    /// <summary>A configuration key of the service (see <see cref="ServiceSettings"/>), through its environment.</summary>
    private static IResourceBuilder<ProjectResource> WithSetting(this IResourceBuilder<ProjectResource> project, string key, long value) =>
        project.WithEnvironment(ServiceSettings.EnvironmentVariable(key), value.ToString(System.Globalization.CultureInfo.InvariantCulture));

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
