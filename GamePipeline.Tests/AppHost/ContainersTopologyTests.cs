using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.AppHost;

/// <summary>
/// The containers and external topologies' app models, asserted without starting them (no machine here runs
/// containers): images and tags, environment, endpoints, references, health checks and wait order.
/// </summary>
public sealed class ContainersTopologyTests
{
    private static async Task<DistributedApplicationModel> ModelAsync(params string[] args)
    {
        var builder = await InProcessHosts.StartAsync(() => DistributedApplicationTestingBuilder.CreateAsync<Projects.GamePipeline_AppHost>(
            args, (options, _) => options.DisableDashboard = true));
        return new DistributedApplicationModel(builder.Resources);
    }

    private static T Resource<T>(DistributedApplicationModel model, string name) where T : IResource =>
        Assert.IsType<T>(Assert.Single(model.Resources, r => r.Name == name), exactMatch: false);

    private static (string Image, string Tag) Image(IResource resource) =>
        resource.Annotations.OfType<ContainerImageAnnotation>().Single() is var image ? (image.Image, image.Tag!) : default;

    // Publish mode renders endpoint values as expressions ({kafka.bindings.tcp.port}), so nothing has to run.
#pragma warning disable CS0618 // its replacement (ExecutionConfigurationBuilder) needs a running app's services
    private static async Task<Dictionary<string, string>> EnvironmentAsync(IResource resource) =>
        new(await ((IResourceWithEnvironment)resource).GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish));
#pragma warning restore CS0618

    private static IEnumerable<string> WaitsFor(IResource resource, WaitType type = WaitType.WaitUntilHealthy) =>
        resource.Annotations.OfType<WaitAnnotation>().Where(w => w.WaitType == type).Select(w => w.Resource.Name);

    private static IEnumerable<string> HealthChecks(IResource resource) =>
        resource.Annotations.OfType<HealthCheckAnnotation>().Select(h => h.Key);

    [Fact]
    public async Task Containers_topology_declares_the_seeds_cluster_with_pinned_images()
    {
        var model = await ModelAsync("--Pipeline:Topology=containers");

        Assert.Equal(("confluentinc/confluent-local", "8.1.0"), Image(Resource<ContainerResource>(model, ResourceNames.Kafka)));
        Assert.Equal(("provectuslabs/kafka-ui", "v0.7.2"), Image(Resource<ContainerResource>(model, "kafka-ui")));
        Assert.Equal(("apache/hadoop", "3.4.1"), Image(Resource<ContainerResource>(model, ResourceNames.HdfsNameNode)));
        Assert.Equal(("apache/hadoop", "3.4.1"), Image(Resource<ContainerResource>(model, ResourceNames.HdfsDataNode)));
        Assert.Equal(("apache/hive", "4.0.1"), Image(Resource<ContainerResource>(model, ResourceNames.HiveMetastore)));
        Assert.Equal(("trinodb/trino", "483"), Image(Resource<ContainerResource>(model, ResourceNames.Trino)));
        Assert.DoesNotContain(model.Resources, r => r.Name == "kafka" && r.GetType().Name.Contains("Embedded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kafka_container_has_host_and_internal_listeners_and_a_produce_health_check()
    {
        var model = await ModelAsync("--Pipeline:Topology=containers");
        var kafka = Resource<ContainerResource>(model, ResourceNames.Kafka);

        var endpoints = kafka.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal((9092, 9092), (endpoints["tcp"].TargetPort, endpoints["tcp"].Port));
        Assert.Equal(9093, endpoints["internal"].TargetPort);
        var environment = await EnvironmentAsync(kafka);
        Assert.Contains("PLAINTEXT_HOST://0.0.0.0:9092", environment["KAFKA_LISTENERS"], StringComparison.Ordinal);
        Assert.Contains("PLAINTEXT_INTERNAL://0.0.0.0:9093", environment["KAFKA_LISTENERS"], StringComparison.Ordinal);
        Assert.Contains("PLAINTEXT_HOST://localhost:{kafka.bindings.tcp.port}", environment["KAFKA_ADVERTISED_LISTENERS"], StringComparison.Ordinal);
        Assert.Contains("PLAINTEXT_INTERNAL://kafka:9093", environment["KAFKA_ADVERTISED_LISTENERS"], StringComparison.Ordinal);
        Assert.Equal(["kafka_produce"], HealthChecks(kafka));
        // A killed writer's partitions move after Pipeline:Kafka:SessionTimeout (10 s), below Kafka's own 45 s minimum.
        Assert.Equal("10000", environment["KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS"]);
        Assert.Equal("10000", environment["KAFKA_GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS"]);
        Assert.Equal("{kafka.bindings.tcp.host}:{kafka.bindings.tcp.port}", ((IResourceWithConnectionString)kafka).ConnectionStringExpression.ValueExpression);

        var ui = Resource<ContainerResource>(model, "kafka-ui");
        Assert.Equal("kafka:9093", (await EnvironmentAsync(ui))["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"]);
        Assert.Equal([ResourceNames.Kafka], WaitsFor(ui));
    }

    [Fact]
    public async Task Hdfs_metastore_and_trino_are_configured_and_start_in_dependency_order()
    {
        var model = await ModelAsync("--Pipeline:Topology=containers");
        var nameNode = Resource<ContainerResource>(model, ResourceNames.HdfsNameNode);
        var dataNode = Resource<ContainerResource>(model, ResourceNames.HdfsDataNode);
        var metastore = Resource<ContainerResource>(model, ResourceNames.HiveMetastore);
        var trino = Resource<ContainerResource>(model, ResourceNames.Trino);

        var nameNodeEnvironment = await EnvironmentAsync(nameNode);
        Assert.Equal("hdfs://namenode:8020", nameNodeEnvironment["CORE-SITE.XML_fs.defaultFS"]);
        Assert.Equal("namenode:8020", nameNodeEnvironment["HDFS-SITE.XML_dfs.namenode.rpc-address"]);
        Assert.Equal("1", nameNodeEnvironment["HDFS-SITE.XML_dfs.replication"]);
        Assert.Equal("/tmp/hadoop-hadoop/dfs/name", nameNodeEnvironment["ENSURE_NAMENODE_DIR"]);
        Assert.Equal(["hdfs", "namenode"], await ArgsAsync(nameNode));
        Assert.Equal(["hdfs", "datanode"], await ArgsAsync(dataNode));
        Assert.Equal(9870, Endpoint(nameNode, "http").TargetPort);
        Assert.Equal(8020, Endpoint(nameNode, "rpc").TargetPort);
        Assert.Equal(9864, Endpoint(dataNode, "http").TargetPort);

        Assert.Equal("metastore", (await EnvironmentAsync(metastore))["SERVICE_NAME"]);
        Assert.Equal(9083, Endpoint(metastore, "thrift").TargetPort);
        var catalogMount = Assert.Single(trino.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal("/etc/trino/catalog", catalogMount.Target);
        var deltaProperties = await File.ReadAllTextAsync(Path.Combine(catalogMount.Source!, "delta.properties"));
        Assert.Contains("connector.name=delta_lake", deltaProperties, StringComparison.Ordinal);
        Assert.Contains("hive.metastore.uri=thrift://metastore:9083", deltaProperties, StringComparison.Ordinal);
        Assert.Contains("fs.hadoop.enabled=true", deltaProperties, StringComparison.Ordinal);
        Assert.Contains("delta.register-table-procedure.enabled=true", deltaProperties, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(catalogMount.Source!, "*.properties"));
        Assert.Equal(8080, Endpoint(trino, "http").TargetPort);

        foreach (var container in new[] { nameNode, dataNode, metastore, trino })
        {
            Assert.NotEmpty(HealthChecks(container));
        }

        Assert.Equal([ResourceNames.HdfsNameNode], WaitsFor(dataNode));
        Assert.Equal([ResourceNames.HdfsNameNode, ResourceNames.HdfsDataNode], WaitsFor(metastore));
        Assert.Equal([ResourceNames.HiveMetastore], WaitsFor(trino));
    }

    [Fact]
    public async Task Services_get_kafka_webhdfs_and_trino_connection_strings_and_wait_for_them()
    {
        var model = await ModelAsync("--Pipeline:Topology=containers");

        var writer = await EnvironmentAsync(Resource<ProjectResource>(model, ResourceNames.StreamWriter));
        Assert.Equal("{kafka.connectionString}", writer["ConnectionStrings__kafka"]);
        Assert.Equal("{lake.connectionString}", writer["ConnectionStrings__lake"]);
        var lake = Resource<IResourceWithConnectionString>(model, ResourceNames.Lake);
        Assert.Equal(
            "webhdfs://localhost:{namenode.bindings.http.port}/lake?user=root&datanode=localhost:{datanode.bindings.http.port}",
            lake.ConnectionStringExpression.ValueExpression);
        Assert.Equal("{trino.bindings.http.url}", Resource<IResourceWithConnectionString>(model, ResourceNames.Catalog).ConnectionStringExpression.ValueExpression);

        var setup = Resource<ProjectResource>(model, ResourceNames.CatalogSetup);
        Assert.Equal("hdfs://namenode:8020/lake", (await EnvironmentAsync(setup))[ServiceSettings.EnvironmentVariable(ServiceSettings.CatalogSetupLakeLocation)]);
        Assert.Equal([ResourceNames.HdfsNameNode, ResourceNames.HdfsDataNode, ResourceNames.Trino], WaitsFor(setup));
        Assert.Equal([ResourceNames.Kafka, ResourceNames.HdfsNameNode, ResourceNames.HdfsDataNode], WaitsFor(Resource<ProjectResource>(model, ResourceNames.StreamWriter)));
        Assert.Equal([ResourceNames.Kafka], WaitsFor(Resource<ProjectResource>(model, ResourceNames.GameApi)));
        var analytics = Resource<ProjectResource>(model, ResourceNames.AnalyticsApi);
        Assert.Equal([ResourceNames.CatalogSetup], WaitsFor(analytics, WaitType.WaitForCompletion));
        var maintenance = Resource<ProjectResource>(model, ResourceNames.LakeMaintenance);
        Assert.Equal("{lake.connectionString}", (await EnvironmentAsync(maintenance))["ConnectionStrings__lake"]);
        Assert.Equal([ResourceNames.CatalogSetup], WaitsFor(maintenance, WaitType.WaitForCompletion));
        Assert.Contains(ResourceNames.Trino, WaitsFor(analytics));
    }

    [Fact]
    public async Task External_topology_declares_no_containers_and_passes_the_apphosts_connection_strings_through()
    {
        var model = await ModelAsync(
            "--Pipeline:Topology=external",
            "--ConnectionStrings:kafka=broker1:9092,broker2:9092",
            "--ConnectionStrings:lake=webhdfs://namenode.example:9870/lake?user=etl",
            "--ConnectionStrings:catalog=https://trino.example:8443",
            "--Pipeline:Lake:EngineLocation=hdfs://namenode.example:8020/lake");

        Assert.Empty(model.Resources.OfType<ContainerResource>());
        Assert.Equal("broker1:9092,broker2:9092", await Resource<IResourceWithConnectionString>(model, ResourceNames.Kafka).GetConnectionStringAsync());
        Assert.Equal("https://trino.example:8443", await Resource<IResourceWithConnectionString>(model, ResourceNames.Catalog).GetConnectionStringAsync());
        var setup = await EnvironmentAsync(Resource<ProjectResource>(model, ResourceNames.CatalogSetup));
        Assert.Equal("hdfs://namenode.example:8020/lake", setup[ServiceSettings.EnvironmentVariable(ServiceSettings.CatalogSetupLakeLocation)]);
    }

    [Fact]
    public async Task Outside_the_laptop_keys_are_required_and_their_hashes_come_from_secret_parameters()
    {
        var model = await ModelAsync("--Pipeline:Topology=containers");

        var gameApi = await EnvironmentAsync(Resource<ProjectResource>(model, ResourceNames.GameApi));
        Assert.Equal("true", gameApi["WriteKeys__Required"]);
        Assert.Equal("game", gameApi["WriteKeys__Keys__0__Name"]);
        Assert.Equal("{gameapi-write-key-hash.value}", gameApi["WriteKeys__Keys__0__Hash"]);
        var analytics = await EnvironmentAsync(Resource<ProjectResource>(model, ResourceNames.AnalyticsApi));
        Assert.Equal("false", analytics["ReaderKeys__AllowAnonymousOnLoopback"]);
        Assert.Equal(("reader", "{analytics-read-key-hash.value}", "read"), (analytics["ReaderKeys__Keys__0__Name"], analytics["ReaderKeys__Keys__0__Hash"], analytics["ReaderKeys__Keys__0__Scopes__0"]));
        Assert.Equal(("admin", "{analytics-admin-key-hash.value}", "admin"), (analytics["ReaderKeys__Keys__1__Name"], analytics["ReaderKeys__Keys__1__Hash"], analytics["ReaderKeys__Keys__1__Scopes__1"]));
        Assert.All(model.Resources.OfType<ParameterResource>(), parameter => Assert.True(parameter.Secret, parameter.Name));
        Assert.Equal(3, model.Resources.OfType<ParameterResource>().Count());
    }

    [Fact]
    public async Task On_the_laptop_keys_are_optional_unless_configured_and_this_machine_reads_without_one()
    {
        var model = await ModelAsync();
        var gameApi = await EnvironmentAsync(Resource<ProjectResource>(model, ResourceNames.GameApi));
        Assert.Equal("false", gameApi["WriteKeys__Required"]);
        Assert.Equal("0", gameApi["RateLimits__PerAddress__PermitsPerSecond"]);
        Assert.DoesNotContain("WriteKeys__Keys__0__Hash", gameApi.Keys);
        Assert.Equal("true", (await EnvironmentAsync(Resource<ProjectResource>(model, ResourceNames.AnalyticsApi)))["ReaderKeys__AllowAnonymousOnLoopback"]);
        Assert.Empty(model.Resources.OfType<ParameterResource>());

        var configured = await ModelAsync("--Parameters:gameapi-write-key-hash=sha256:" + new string('a', 64));
        var keyed = await EnvironmentAsync(Resource<ProjectResource>(configured, ResourceNames.GameApi));
        Assert.Equal("{gameapi-write-key-hash.value}", keyed["WriteKeys__Keys__0__Hash"]);
    }

    [Fact]
    public async Task Embedded_topology_declares_no_containers()
    {
        var model = await ModelAsync();

        Assert.Empty(model.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public async Task Embedded_kafka_tells_gameapi_its_retention_and_takes_the_session_timeout_from_the_apphost()
    {
        var model = await ModelAsync("--Pipeline:Kafka:SessionTimeout=00:00:04");

        var gameApi = await EnvironmentAsync(Resource<ProjectResource>(model, ResourceNames.GameApi));
        Assert.Equal("5242880", gameApi["Ingest__Backpressure__RetentionBytes"]);
        Assert.Equal("100000", gameApi["Ingest__Backpressure__RetentionBatches"]);
        Assert.Equal(TimeSpan.FromSeconds(4), Resource<GamePipeline.Hosting.Kafka.EmbeddedKafkaResource>(model, ResourceNames.Kafka).GroupSessionTimeout);
    }

    [Fact]
    public async Task A_session_timeout_out_of_range_stops_the_apphost_with_a_message_naming_it()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("--Pipeline:Kafka:SessionTimeout=00:00:00.500"));

        Assert.Contains("SessionTimeout", error.ToString(), StringComparison.Ordinal);
    }

    private static EndpointAnnotation Endpoint(IResource resource, string name) =>
        resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == name);

    private static async Task<List<string>> ArgsAsync(IResource resource)
    {
        var context = new CommandLineArgsCallbackContext([], resource);
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return [.. context.Args.Select(a => a.ToString()!)];
    }
}
