using System.Globalization;
using System.Net.Sockets;
using Aspire.Hosting.ApplicationModel;
using GamePipeline.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GamePipeline.AppHost;

/// <summary>The seed's cluster as containers: HDFS (namenode + datanode), a Hive metastore and Trino.</summary>
internal static class ClusterResources
{
    public const string HadoopImage = "apache/hadoop";
    public const string HadoopTag = "3.4.1";
    public const string HiveImage = "apache/hive";
    public const string HiveTag = "4.0.1";
    public const string TrinoImage = "trinodb/trino";
    public const string TrinoTag = "483";
    public const int NameNodeRpcPort = 8020;
    public const int NameNodeHttpPort = 9870;
    public const int DataNodeHttpPort = 9864;
    public const int MetastorePort = 9083;
    public const int TrinoPort = 8080;

    /// <summary>hdfs://namenode:8020 — HDFS as the containers (metastore, Trino) address it.</summary>
    public static string HdfsUri => string.Create(CultureInfo.InvariantCulture, $"hdfs://{ResourceNames.HdfsNameNode}:{NameNodeRpcPort}");

    public sealed record Hdfs(IResourceBuilder<ContainerResource> NameNode, IResourceBuilder<ContainerResource> DataNode);

    /// <summary>
    /// A one-datanode HDFS. WebHDFS is published to the host: the namenode for metadata, the datanode for data
    /// (the namenode redirects there by the datanode's container name, which clients on the host rewrite to the
    /// published address — see the lake connection string).
    /// </summary>
    public static Hdfs AddHdfs(this IDistributedApplicationBuilder builder, PipelineSettings.ContainerPortSettings ports)
    {
        var nameNode = builder.AddContainer(ResourceNames.HdfsNameNode, HadoopImage, HadoopTag)
            .WithImageRegistry("docker.io")
            .WithArgs("hdfs", "namenode")
            .WithHadoopConfiguration()
            // The image runs as user hadoop, whose name directory this is; any other path is formatted at every start.
            .WithEnvironment("ENSURE_NAMENODE_DIR", "/tmp/hadoop-hadoop/dfs/name")
            .WithHttpEndpoint(targetPort: NameNodeHttpPort, port: ports.HdfsNameNode, name: "http")
            .WithEndpoint(targetPort: NameNodeRpcPort, name: "rpc", scheme: "tcp")
            .WithHttpHealthCheck("/webhdfs/v1/?op=GETFILESTATUS&user.name=root");

        var dataNode = builder.AddContainer(ResourceNames.HdfsDataNode, HadoopImage, HadoopTag)
            .WithImageRegistry("docker.io")
            .WithArgs("hdfs", "datanode")
            .WithHadoopConfiguration()
            .WithHttpEndpoint(targetPort: DataNodeHttpPort, port: ports.HdfsDataNode, name: "http")
            .WithHttpHealthCheck("/")
            .WaitFor(nameNode);

        return new Hdfs(nameNode, dataNode);
    }

    /// <summary>The lake on HDFS, as the services on the host reach it: WebHDFS with the datanode's published address.</summary>
    public static ReferenceExpression WebHdfsLake(this Hdfs hdfs, string lakeRoot)
    {
        var nameNode = hdfs.NameNode.GetEndpoint("http");
        var dataNode = hdfs.DataNode.GetEndpoint("http");
        return ReferenceExpression.Create(
            $"webhdfs://localhost:{nameNode.Property(EndpointProperty.Port)}{lakeRoot}?user=root&datanode=localhost:{dataNode.Property(EndpointProperty.Port)}");
    }

    /// <summary>A Hive metastore (embedded Derby database) that checks table locations on HDFS.</summary>
    public static IResourceBuilder<ContainerResource> AddHiveMetastore(this IDistributedApplicationBuilder builder, Hdfs hdfs)
    {
        var metastore = builder.AddContainer(ResourceNames.HiveMetastore, HiveImage, HiveTag)
            .WithImageRegistry("docker.io")
            .WithEnvironment("SERVICE_NAME", "metastore")
            .WithEnvironment("SERVICE_OPTS", $"-Dfs.defaultFS={HdfsUri} -Dhive.metastore.warehouse.dir={HdfsUri}/user/hive/warehouse")
            .WithEndpoint(targetPort: MetastorePort, name: "thrift", scheme: "tcp")
            .WaitFor(hdfs.NameNode).WaitFor(hdfs.DataNode);
        return metastore.WithTcpHealthCheck("thrift");
    }

    /// <summary>Trino with one catalog, <c>delta</c>: Delta tables registered in the metastore, stored in HDFS (trino/catalog/delta.properties).</summary>
    public static IResourceBuilder<ContainerResource> AddTrino(this IDistributedApplicationBuilder builder, IResourceBuilder<ContainerResource> metastore, int? port) =>
        builder.AddContainer(ResourceNames.Trino, TrinoImage, TrinoTag)
            .WithImageRegistry("docker.io")
            .WithBindMount(Path.Combine(builder.AppHostDirectory, "trino", "catalog"), "/etc/trino/catalog", isReadOnly: true)
            .WithHttpEndpoint(targetPort: TrinoPort, port: port, name: "http")
            .WithTrinoStartedHealthCheck()
            .WaitFor(metastore);

    /// <summary>Trino's HTTP address on the host: the <c>catalog</c> connection string in this topology.</summary>
    public static ReferenceExpression TrinoUrl(this IResourceBuilder<ContainerResource> trino) =>
        ReferenceExpression.Create($"{trino.GetEndpoint("http")}");

    private static IResourceBuilder<ContainerResource> WithHadoopConfiguration(this IResourceBuilder<ContainerResource> container) =>
        container
            .WithEnvironment("CORE-SITE.XML_fs.defaultFS", HdfsUri)
            .WithEnvironment("HDFS-SITE.XML_dfs.namenode.rpc-address", string.Create(CultureInfo.InvariantCulture, $"{ResourceNames.HdfsNameNode}:{NameNodeRpcPort}"))
            .WithEnvironment("HDFS-SITE.XML_dfs.replication", "1")
            .WithEnvironment("HDFS-SITE.XML_dfs.permissions.enabled", "false")
            .WithEnvironment("HDFS-SITE.XML_dfs.webhdfs.enabled", "true");

    /// <summary>
    /// Healthy once Trino has started: <c>/v1/info</c> answers 200 while it is still starting (and
    /// <c>/v1/statement</c> answers 503 meanwhile), so the check reads its <c>"starting"</c> flag.
    /// </summary>
    private static IResourceBuilder<ContainerResource> WithTrinoStartedHealthCheck(this IResourceBuilder<ContainerResource> trino)
    {
        var endpoint = trino.GetEndpoint("http");
        var name = $"{trino.Resource.Name}_started";
        trino.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            name, _ => new TrinoStartedHealthCheck(() => new Uri(endpoint.Url)), HealthStatus.Unhealthy, tags: ["trino"]));
        return trino.WithHealthCheck(name);
    }

    /// <summary>Healthy once the endpoint accepts TCP connections (the metastore speaks Thrift, not HTTP).</summary>
    private static IResourceBuilder<ContainerResource> WithTcpHealthCheck(this IResourceBuilder<ContainerResource> container, string endpointName)
    {
        var endpoint = container.GetEndpoint(endpointName);
        var name = $"{container.Resource.Name}_{endpointName}_tcp";
        container.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            name, _ => new TcpConnectHealthCheck(endpoint), HealthStatus.Unhealthy, tags: ["tcp"]));
        return container.WithHealthCheck(name);
    }
}

/// <summary>Healthy when a TCP connection to the endpoint's published address succeeds.</summary>
internal sealed class TcpConnectHealthCheck(EndpointReference endpoint) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (SocketException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{endpoint.Host}:{endpoint.Port} refused: {e.Message}", e);
        }
    }
}

/// <summary>Healthy when Trino's <c>/v1/info</c> says <c>"starting": false</c>.</summary>
internal sealed class TrinoStartedHealthCheck(Func<Uri> baseAddress) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(baseAddress(), "/v1/info"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"/v1/info answered {(int)response.StatusCode}");
            }

            using var info = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            return info.RootElement.TryGetProperty("starting", out var starting) && starting.ValueKind == System.Text.Json.JsonValueKind.False
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, "Trino is still starting");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"/v1/info: {e.Message}", e);
        }
    }
}
