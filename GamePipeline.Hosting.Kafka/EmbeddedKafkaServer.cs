using System.Globalization;
using System.Net;

namespace GamePipeline.Hosting.Kafka;

public sealed record EmbeddedKafkaTopic(string Name, int Partitions);

/// <summary>
/// A mock Kafka cluster reachable at a fixed bootstrap address (<c>localhost:9092</c> by default), with its
/// topics created up front. Used by the AppHost's embedded topology and directly by tests.
/// </summary>
public sealed class EmbeddedKafkaServer : IAsyncDisposable
{
    private readonly MockKafkaCluster _cluster;
    private readonly TcpForwarder _forwarder;

    private EmbeddedKafkaServer(MockKafkaCluster cluster, TcpForwarder forwarder, string host)
    {
        _cluster = cluster;
        _forwarder = forwarder;
        BootstrapServers = string.Create(CultureInfo.InvariantCulture, $"{host}:{forwarder.Port}");
    }

    /// <summary>The fixed bootstrap address clients are given (the Kafka connection string).</summary>
    public string BootstrapServers { get; }

    /// <summary>The bootstrap address's port (the one asked for, or the one the system chose for port 0).</summary>
    public int Port => _forwarder.Port;

    /// <summary>The mock brokers' own addresses.</summary>
    public string BrokerAddresses => _cluster.BootstrapServers;

    public MockKafkaCluster Cluster => _cluster;

    public static EmbeddedKafkaServer Start(int port = 9092, int brokers = 1, IEnumerable<EmbeddedKafkaTopic>? topics = null, string host = "localhost", TimeSpan? groupSessionTimeout = null)
    {
        var cluster = new MockKafkaCluster(brokers, groupSessionTimeout);
        try
        {
            foreach (var topic in topics ?? [])
            {
                cluster.CreateTopic(topic.Name, topic.Partitions);
            }

            var targets = cluster.BootstrapServers
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ParseEndPoint)
                .ToArray();
            return new EmbeddedKafkaServer(cluster, new TcpForwarder(port, targets), host);
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    private static DnsEndPoint ParseEndPoint(string address)
    {
        var colon = address.LastIndexOf(':');
        return new DnsEndPoint(address[..colon], int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        await _forwarder.DisposeAsync();
        _cluster.Dispose();
    }
}
