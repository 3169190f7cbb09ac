namespace GamePipeline.Contracts;

/// <summary>Names the AppHost gives its resources; services use them as connection-string names.</summary>
public static class ResourceNames
{
    public const string Kafka = "kafka";
    public const string Lake = "lake";
    public const string Catalog = "catalog";
    public const string GameApi = "gameapi";
    public const string StreamWriter = "streamwriter";
    public const string CatalogSetup = "catalog-setup";
    public const string AnalyticsApi = "analyticsapi";
    public const string LakeMaintenance = "lake-maintenance";

    // Containers topology: these are also the containers' host names on the network Aspire creates, which the
    // Trino catalog file (GamePipeline.AppHost/trino/catalog/delta.properties) and HDFS URIs refer to.
    public const string HdfsNameNode = "namenode";
    public const string HdfsDataNode = "datanode";
    public const string HiveMetastore = "metastore";
    public const string Trino = "trino";
}
