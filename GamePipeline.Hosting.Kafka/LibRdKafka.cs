using System.Reflection;
using System.Runtime.InteropServices;

namespace GamePipeline.Hosting.Kafka;

/// <summary>
/// P/Invoke into librdkafka's mock-cluster API, in the librdkafka build Confluent.Kafka uses. On Linux that is the
/// very file Confluent.Kafka loaded, found among the process's mappings: on Debian the default <c>librdkafka.so</c>
/// needs the absent <c>libsasl2.so.3</c>, so both fall back to the centos8 build. Elsewhere (macOS, Windows) each
/// runtime identifier has one build, which the runtime resolves from the app's dependencies as it does for
/// Confluent.Kafka.
/// </summary>
internal static partial class LibRdKafka
{
    private const string LibraryName = "librdkafka";
    private static readonly Lazy<nint> Handle = new(LoadSharedWithConfluent);

    static LibRdKafka() => NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, Resolve);

    public static string LoadedPath { get; private set; } = "";

    public static void EnsureLoaded() => _ = Handle.Value;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == LibraryName ? Handle.Value : nint.Zero;

    private static nint LoadSharedWithConfluent()
    {
        // Let Confluent.Kafka pick the build that loads on this machine first.
        _ = Confluent.Kafka.Library.Version;
        if (OperatingSystem.IsLinux())
        {
            var path = MappedLibraryPaths().FirstOrDefault(p => Path.GetFileName(p).Contains("librdkafka", StringComparison.Ordinal))
                ?? throw new DllNotFoundException("Confluent.Kafka loaded librdkafka, but its file was not found among the process's mappings.");
            LoadedPath = path;
            return NativeLibrary.Load(path);
        }

        if (NativeLibrary.TryLoad(LibraryName, typeof(Confluent.Kafka.Library).Assembly, searchPath: null, out var handle))
        {
            LoadedPath = $"{LibraryName} ({RuntimeInformation.RuntimeIdentifier})";
            return handle;
        }

        throw new DllNotFoundException($"No librdkafka build for {RuntimeInformation.RuntimeIdentifier} could be loaded.");
    }

    /// <summary>Each line of /proc/self/maps ends with the mapped file's path.</summary>
    private static IEnumerable<string> MappedLibraryPaths() =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? line[slash..] : "")
            .Where(path => path.Length > 0)
            .Distinct();

    public const int ProducerType = 0;

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_new")]
    public static partial nint ConfNew();

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(nint conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(nint conf);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_new")]
    public static partial nint New(int type, nint conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(nint rk);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial nint MockClusterNew(nint rk, int brokerCount);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(nint mockCluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial nint MockClusterBootstraps(nint mockCluster);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(nint mockCluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static partial void MockGroupInitialRebalanceDelayMs(nint mockCluster, int delayMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_set_group_consumer_session_timeout_ms")]
    public static partial void MockSetGroupConsumerSessionTimeoutMs(nint mockCluster, int sessionTimeoutMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_set_group_consumer_heartbeat_interval_ms")]
    public static partial void MockSetGroupConsumerHeartbeatIntervalMs(nint mockCluster, int heartbeatIntervalMs);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int MockBrokerSetDown(nint mockCluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int MockBrokerSetUp(nint mockCluster, int brokerId);

    [LibraryImport(LibraryName, EntryPoint = "rd_kafka_err2str")]
    public static partial nint ErrorToString(int error);

    public static string ErrorText(byte[] errstr) => System.Text.Encoding.UTF8.GetString(errstr).TrimEnd('\0');

    public static string DescribeError(int error) => Marshal.PtrToStringUTF8(ErrorToString(error)) ?? $"error {error}";
}
