using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace GamePipeline.Hosting.Kafka;

/// <summary>A Kafka cluster hosted inside the AppHost process (librdkafka's mock cluster); no container needed.</summary>
public sealed class EmbeddedKafkaResource(string name, string host, int port) : Resource(name), IResourceWithConnectionString
{
    private readonly List<EmbeddedKafkaTopic> _topics = [];

    public string Host { get; } = host;

    /// <summary>The bootstrap port; for port 0, the one the system chose, once the cluster has started.</summary>
    public int Port { get; internal set; } = port;

    public int Brokers { get; internal set; } = 1;

    /// <summary>How long a writer may go silent before its partitions move to the others (consumer groups, KIP-848).</summary>
    public TimeSpan GroupSessionTimeout { get; internal set; } = MockKafkaCluster.DefaultGroupSessionTimeout;

    public IReadOnlyList<EmbeddedKafkaTopic> Topics => _topics;

    public string BootstrapServers => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{BootstrapServers}");

    internal void AddTopic(EmbeddedKafkaTopic topic)
    {
        _topics.RemoveAll(t => t.Name == topic.Name);
        _topics.Add(topic);
    }
}
