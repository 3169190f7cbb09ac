namespace GamePipeline.Contracts;

/// <summary>
/// Configuration keys of the services that the AppHost sets for them (through their environment), so that both
/// sides name each key once.
/// </summary>
public static class ServiceSettings
{
    /// <summary>CatalogSetup: the lake as the SQL engine reads it, where the tables point.</summary>
    public const string CatalogSetupLakeLocation = "CatalogSetup:LakeLocation";

    /// <summary>GameApi: bytes Kafka keeps per partition (its backpressure).</summary>
    public const string RetentionBytes = "Ingest:Backpressure:RetentionBytes";

    /// <summary>GameApi: records (batches) Kafka keeps per partition (its backpressure).</summary>
    public const string RetentionBatches = "Ingest:Backpressure:RetentionBatches";

    /// <summary>StreamWriter: the largest batch it gathers per partition, in payload bytes.</summary>
    public const string FlushMaxBytes = "StreamWriter:FlushMaxBytes";

    /// <summary>The environment variable .NET configuration reads <paramref name="key"/> from.</summary>
    public static string EnvironmentVariable(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
