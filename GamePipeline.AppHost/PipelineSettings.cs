using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace GamePipeline.AppHost;

public enum PipelineTopology
{
    /// <summary>Everything on this machine with only the .NET SDK: mock Kafka in the AppHost, local lake, DuckDB.</summary>
    Embedded,

    /// <summary>The seed's cluster as containers (needs Docker): Kafka, HDFS, a Hive metastore and Trino.</summary>
    Containers,

    /// <summary>Existing clusters: the AppHost's <c>ConnectionStrings:kafka|lake|catalog</c>, no containers.</summary>
    External,
}

/// <summary>The AppHost's own configuration, section <c>Pipeline</c>.</summary>
public sealed class PipelineSettings
{
    public const string Section = "Pipeline";

    public PipelineTopology Topology { get; set; } = PipelineTopology.Embedded;

    public KafkaSettings Kafka { get; set; } = new();

    public PortSettings Ports { get; set; } = new();

    public LakeSettings Lake { get; set; } = new();

    public ContainerPortSettings Containers { get; set; } = new();

    public sealed class LakeSettings
    {
        /// <summary>The lake's directory; relative paths are relative to the AppHost project (default: the repository's <c>lake/</c>).</summary>
        [Required]
        public string Path { get; set; } = "../lake";

        /// <summary>The lake's folder on HDFS (containers topology).</summary>
        [Required]
        [RegularExpression("^/.*", ErrorMessage = "Pipeline:Lake:HdfsRoot must be an absolute HDFS path.")]
        public string HdfsRoot { get; set; } = "/lake";

        /// <summary>
        /// External topology: the lake as the SQL engine reads it (e.g. <c>hdfs://namenode:8020/lake</c>), where
        /// CatalogSetup points the tables; empty means the lake connection string itself.
        /// </summary>
        public string? EngineLocation { get; set; }
    }

    /// <summary>Host ports of the containers topology's web consoles and APIs (null: any free port).</summary>
    public sealed class ContainerPortSettings
    {
        [Range(1, 65535)]
        public int? Trino { get; set; } = 8080;

        [Range(1, 65535)]
        public int? KafkaUi { get; set; } = 8081;

        [Range(1, 65535)]
        public int? HdfsNameNode { get; set; } = 9870;

        [Range(1, 65535)]
        public int? HdfsDataNode { get; set; } = 9864;

        /// <summary>Adds Kafka UI next to the broker.</summary>
        public bool KafkaUiEnabled { get; set; } = true;
    }

    public sealed class KafkaSettings
    {
        /// <summary>Bootstrap port on localhost; 0 picks a free one (tests).</summary>
        [Range(0, 65535)]
        public int Port { get; set; } = 9092;

        [Range(1, 16)]
        public int Brokers { get; set; } = 1;

        [Range(1, 1024)]
        public int EventsPartitions { get; set; } = 4;

        /// <summary>
        /// Embedded and containers: how long a StreamWriter may go silent before its partitions move to the
        /// others (the consumer-group session timeout, KIP-848). Shorter moves partitions sooner after a crash;
        /// too short takes a writer that pauses (a long GC, a starved machine) for dead.
        /// </summary>
        [Range(typeof(TimeSpan), "00:00:02", "00:05:00")]
        public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);
    }

    public sealed class PortSettings
    {
        [Range(0, 65535)]
        public int GameApi { get; set; } = 5000;

        [Range(0, 65535)]
        public int AnalyticsApi { get; set; } = 5100;
    }

    public static PipelineSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<PipelineSettings>() ?? new PipelineSettings();
        Validator.ValidateObject(settings.Kafka, new ValidationContext(settings.Kafka), validateAllProperties: true);
        Validator.ValidateObject(settings.Ports, new ValidationContext(settings.Ports), validateAllProperties: true);
        Validator.ValidateObject(settings.Lake, new ValidationContext(settings.Lake), validateAllProperties: true);
        Validator.ValidateObject(settings.Containers, new ValidationContext(settings.Containers), validateAllProperties: true);
        return settings;
    }
}
