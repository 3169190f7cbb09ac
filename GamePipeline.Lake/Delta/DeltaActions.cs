using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace GamePipeline.Lake.Delta;

// The Delta log's actions (PROTOCOL.md, "Actions"), as one line of a commit file or one row of a checkpoint we write
// holds them: System.Text.Json and Parquet.Net's serializer both name the fields by [JsonPropertyName]. Checkpoints
// are read through CheckpointRows (other writers' nullability differs). Only the actions and fields this project
// reads or writes are declared; readers must ignore the rest.

/// <summary>A line of a commit, or a row of a checkpoint: exactly one of its actions is set.</summary>
public sealed class DeltaAction
{
    [JsonPropertyName("txn")]
    public TransactionAction? Txn { get; set; }

    [JsonPropertyName("add")]
    public AddAction? Add { get; set; }

    [JsonPropertyName("remove")]
    public RemoveAction? Remove { get; set; }

    [JsonPropertyName("metaData")]
    public MetadataAction? MetaData { get; set; }

    [JsonPropertyName("protocol")]
    public ProtocolAction? Protocol { get; set; }

    /// <summary>Commits carry it; checkpoints (which this class also writes, as Parquet) do not.</summary>
    [JsonPropertyName("commitInfo")]
    [ParquetIgnore]
    public CommitInfoAction? CommitInfo { get; set; }
}

/// <summary>Provenance of a commit (PROTOCOL.md, "Commit Provenance Information"): free-form, for history and people.</summary>
public sealed class CommitInfoAction
{
    /// <summary>Milliseconds since the epoch when the commit was made.</summary>
    [JsonPropertyName("timestamp")]
    public long? Timestamp { get; set; }

    /// <summary>WRITE, STREAMING UPDATE, OPTIMIZE, VACUUM, DELETE, … (Spark's names, which other engines show).</summary>
    [JsonPropertyName("operation")]
    public string? Operation { get; set; }

    [JsonPropertyName("operationParameters")]
    public Dictionary<string, string>? OperationParameters { get; set; }

    [JsonPropertyName("operationMetrics")]
    public Dictionary<string, string>? OperationMetrics { get; set; }

    /// <summary>The version the commit was based on (absent for a table's first commit).</summary>
    [JsonPropertyName("readVersion")]
    public long? ReadVersion { get; set; }

    [JsonPropertyName("isBlindAppend")]
    public bool? IsBlindAppend { get; set; }

    [JsonPropertyName("engineInfo")]
    public string? EngineInfo { get; set; }

    [JsonPropertyName("txnId")]
    public string? TxnId { get; set; }
}

/// <summary>An application's latest transaction version (a streaming writer's progress), for idempotent writes.</summary>
public sealed class TransactionAction
{
    [JsonPropertyName("appId")]
    public string? AppId { get; set; }

    [JsonPropertyName("version")]
    public long? Version { get; set; }

    [JsonPropertyName("lastUpdated")]
    public long? LastUpdated { get; set; }
}

public sealed class AddAction
{
    /// <summary>Relative to the table's root and URI-encoded (RFC 2396), or an absolute URI.</summary>
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    /// <summary>Partition column → value serialized as a string (null for a null value).</summary>
    [JsonPropertyName("partitionValues")]
    public Dictionary<string, string?>? PartitionValues { get; set; }

    [JsonPropertyName("size")]
    public long? Size { get; set; }

    [JsonPropertyName("modificationTime")]
    public long? ModificationTime { get; set; }

    [JsonPropertyName("dataChange")]
    public bool? DataChange { get; set; }

    /// <summary>Per-file statistics as a JSON string (numRecords, minValues, maxValues, nullCount).</summary>
    [JsonPropertyName("stats")]
    public string? Stats { get; set; }

    [JsonPropertyName("deletionVector")]
    public DeletionVectorDescriptor? DeletionVector { get; set; }
}

public sealed class RemoveAction
{
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("deletionTimestamp")]
    public long? DeletionTimestamp { get; set; }

    [JsonPropertyName("dataChange")]
    public bool? DataChange { get; set; }

    /// <summary>Whether <see cref="PartitionValues"/> and <see cref="Size"/> are given (readers of removes may use them).</summary>
    [JsonPropertyName("extendedFileMetadata")]
    public bool? ExtendedFileMetadata { get; set; }

    [JsonPropertyName("partitionValues")]
    public Dictionary<string, string?>? PartitionValues { get; set; }

    [JsonPropertyName("size")]
    public long? Size { get; set; }

    [JsonPropertyName("deletionVector")]
    public DeletionVectorDescriptor? DeletionVector { get; set; }
}

/// <summary>Rows of a data file that are deleted; this reader refuses tables that use them.</summary>
public sealed class DeletionVectorDescriptor
{
    [JsonPropertyName("storageType")]
    public string? StorageType { get; set; }

    [JsonPropertyName("pathOrInlineDv")]
    public string? PathOrInlineDv { get; set; }
}

public sealed class MetadataAction
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>The table's schema as Delta's JSON struct type.</summary>
    [JsonPropertyName("schemaString")]
    public string? SchemaString { get; set; }

    [JsonPropertyName("partitionColumns")]
    public List<string>? PartitionColumns { get; set; }

    [JsonPropertyName("configuration")]
    public Dictionary<string, string?>? Configuration { get; set; }

    [JsonPropertyName("createdTime")]
    public long? CreatedTime { get; set; }
}

public sealed class ProtocolAction
{
    [JsonPropertyName("minReaderVersion")]
    public int? MinReaderVersion { get; set; }

    [JsonPropertyName("minWriterVersion")]
    public int? MinWriterVersion { get; set; }

    [JsonPropertyName("readerFeatures")]
    public List<string>? ReaderFeatures { get; set; }

    [JsonPropertyName("writerFeatures")]
    public List<string>? WriterFeatures { get; set; }
}
