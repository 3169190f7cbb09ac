using System.Runtime.InteropServices;

namespace GamePipeline.Hosting.Kafka;

/// <summary>
/// librdkafka's in-memory mock cluster: real Kafka wire protocol, brokers on 127.0.0.1 at ephemeral ports.
/// Topics must be created here (the mock does not implement CreateTopics).
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    /// <summary>
    /// The mock keeps at most this many bytes of record batches per partition, and drops the oldest beyond it,
    /// read or not (librdkafka's rdkafka_mock.c, fixed at build time).
    /// </summary>
    public const long RetainedBytesPerPartition = 5 * 1024 * 1024;

    /// <summary>…and at most this many record batches per partition.</summary>
    public const long RetainedBatchesPerPartition = 100_000;

    /// <summary>How long a consumer-group member may go without a heartbeat before its partitions move, by default.</summary>
    public static readonly TimeSpan DefaultGroupSessionTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private nint _client;
    private nint _cluster;

    /// <param name="groupSessionTimeout">
    /// Consumer groups of the "consumer" protocol (KIP-848): how long a member may go without a heartbeat before
    /// the coordinator gives its partitions to the others (the broker's group.consumer.session.timeout.ms).
    /// </param>
    public MockKafkaCluster(int brokerCount = 1, TimeSpan? groupSessionTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        var sessionTimeout = groupSessionTimeout ?? DefaultGroupSessionTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThan(sessionTimeout, TimeSpan.FromSeconds(1));
        LibRdKafka.EnsureLoaded();

        var errors = new byte[512];
        var conf = LibRdKafka.ConfNew();
        // The hosting handle only owns the cluster; keep its own logging quiet.
        LibRdKafka.ConfSet(conf, "log_level", "3", errors, (nuint)errors.Length);
        _client = LibRdKafka.New(LibRdKafka.ProducerType, conf, errors, (nuint)errors.Length);
        if (_client == nint.Zero)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new InvalidOperationException($"rd_kafka_new failed: {LibRdKafka.ErrorText(errors)}");
        }

        _cluster = LibRdKafka.MockClusterNew(_client, brokerCount);
        if (_cluster == nint.Zero)
        {
            LibRdKafka.Destroy(_client);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        // Without this the first consumer-group join waits 3 s.
        LibRdKafka.MockGroupInitialRebalanceDelayMs(_cluster, 0);
        // The coordinator checks sessions once a second and hands a dead member's partitions over on the others'
        // next heartbeat: takeover takes the session timeout plus at most about 1.5 s.
        LibRdKafka.MockSetGroupConsumerSessionTimeoutMs(_cluster, (int)sessionTimeout.TotalMilliseconds);
        LibRdKafka.MockSetGroupConsumerHeartbeatIntervalMs(_cluster, (int)Math.Min(500, sessionTimeout.TotalMilliseconds / 3));
        GroupSessionTimeout = sessionTimeout;
        BootstrapServers = Marshal.PtrToStringUTF8(LibRdKafka.MockClusterBootstraps(_cluster)) ?? "";
        BrokerCount = brokerCount;
    }

    /// <summary>The brokers' own addresses (ephemeral ports), comma separated.</summary>
    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    public TimeSpan GroupSessionTimeout { get; }

    public static string NativeLibraryPath => LibRdKafka.LoadedPath;

    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        lock (_gate)
        {
            var error = LibRdKafka.MockTopicCreate(Cluster, topic, partitions, Math.Min(replicationFactor, BrokerCount));
            if (error != 0)
            {
                throw new InvalidOperationException($"Creating topic '{topic}' failed: {LibRdKafka.DescribeError(error)}");
            }
        }
    }

    /// <summary>Takes a broker off the network (connections are closed and refused) — for failure tests.</summary>
    public void SetBrokerDown(int brokerId) => Check(LibRdKafka.MockBrokerSetDown(Cluster, brokerId), "set down");

    public void SetBrokerUp(int brokerId) => Check(LibRdKafka.MockBrokerSetUp(Cluster, brokerId), "set up");

    private nint Cluster => _cluster != nint.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockKafkaCluster));

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"Mock broker {what} failed: {LibRdKafka.DescribeError(error)}");
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster != nint.Zero)
            {
                LibRdKafka.MockClusterDestroy(_cluster);
                _cluster = nint.Zero;
            }

            if (_client != nint.Zero)
            {
                LibRdKafka.Destroy(_client);
                _client = nint.Zero;
            }
        }
    }
}
