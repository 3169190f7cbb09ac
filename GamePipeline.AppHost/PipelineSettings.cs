using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace GamePipeline.AppHost;

public enum PipelineTopology
{
    /// <summary>Everything on this machine with only the .NET SDK: mock Kafka in the AppHost, local lake, DuckDB.</summary>
    Embedded,
}

/// <summary>The AppHost's own configuration, section <c>Pipeline</c>.</summary>
public sealed class PipelineSettings
{
    public const string Section = "Pipeline";

    public PipelineTopology Topology { get; set; } = PipelineTopology.Embedded;

    public KafkaSettings Kafka { get; set; } = new();

    public PortSettings Ports { get; set; } = new();

    public LakeSettings Lake { get; set; } = new();

    public sealed class LakeSettings
    {
        /// <summary>The lake's directory; relative paths are relative to the AppHost project (default: the repository's <c>lake/</c>).</summary>
        [Required]
        public string Path { get; set; } = "../lake";
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
        return settings;
    }
}
