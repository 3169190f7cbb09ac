using System.Collections.Immutable;
using System.Text.Json;

namespace GamePipeline.Lake.Delta;

/// <summary>A live data file of a snapshot (an <c>add</c> no later <c>remove</c> cancelled).</summary>
/// <param name="Path">As the log holds it: relative to the table's root, URI-encoded.</param>
public sealed record DeltaFile(string Path, IReadOnlyDictionary<string, string?> PartitionValues, long Size, long ModificationTime, string? Stats)
{
    /// <summary>The file's path under the table's root as storage names it (the log's path, URI-decoded).</summary>
    public string StoragePath => Uri.UnescapeDataString(Path);

    /// <summary>The row count its statistics claim, if it has them.</summary>
    public long? RecordsInStats() => DeltaFileStats.Records(Stats);
}

/// <summary>A column of the table's schema: its name and its Delta type (a primitive's name, or struct/array/map).</summary>
public sealed record DeltaColumn(string Name, string Type, bool Nullable);

/// <summary>
/// The state of a Delta table at one version: its protocol, metadata, live files and application transaction
/// versions, reconstructed from the newest usable checkpoint and the commits after it.
/// </summary>
public sealed class DeltaSnapshot
{
    internal DeltaSnapshot(string table, long version, ProtocolAction protocol, MetadataAction metadata, ImmutableDictionary<string, DeltaFile> files, ImmutableDictionary<string, long> transactions)
    {
        Table = table;
        Version = version;
        Protocol = protocol;
        Metadata = metadata;
        FilesByPath = files;
        Transactions = transactions;
        Columns = DeltaSchema.Columns(metadata.SchemaString ?? "");
    }

    /// <summary>The table's root, as the storage names it.</summary>
    public string Table { get; }

    public long Version { get; }

    public ProtocolAction Protocol { get; }

    public MetadataAction Metadata { get; }

    public IReadOnlyList<DeltaColumn> Columns { get; }

    public IReadOnlyList<string> PartitionColumns => Metadata.PartitionColumns ?? [];

    /// <summary>The live data files, in path order.</summary>
    public IEnumerable<DeltaFile> Files => FilesByPath.Values.OrderBy(f => f.Path, StringComparer.Ordinal);

    public int FileCount => FilesByPath.Count;

    /// <summary>Each application's latest transaction version (<c>txn</c> actions): a streaming writer's progress.</summary>
    public IReadOnlyDictionary<string, long> Transactions { get; }

    internal ImmutableDictionary<string, DeltaFile> FilesByPath { get; }
}

/// <summary>Delta's schema serialization (PROTOCOL.md, "Schema Serialization Format"), top-level columns only.</summary>
public static class DeltaSchema
{
    public static IReadOnlyList<DeltaColumn> Columns(string schemaString)
    {
        if (schemaString.Length == 0)
        {
            return [];
        }

        using var schema = JsonDocument.Parse(schemaString);
        return
        [
            .. schema.RootElement.GetProperty("fields").EnumerateArray().Select(field => new DeltaColumn(
                field.GetProperty("name").GetString()!,
                field.GetProperty("type") is { ValueKind: JsonValueKind.String } primitive ? primitive.GetString()! : field.GetProperty("type").GetProperty("type").GetString()!,
                !field.TryGetProperty("nullable", out var nullable) || nullable.GetBoolean())),
        ];
    }
}

/// <summary>Why a table could not be read as asked.</summary>
public enum DeltaReadFailure
{
    /// <summary>No Delta log at the path.</summary>
    NotATable,

    /// <summary>The version asked for does not exist, or the log lacks a version it needs.</summary>
    MissingVersion,

    /// <summary>The table needs a protocol version or a reader feature this reader does not implement.</summary>
    UnsupportedProtocol,

    /// <summary>The log is not what the protocol says it must be.</summary>
    CorruptLog,
}

public sealed class DeltaTableException(DeltaReadFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public DeltaReadFailure Failure { get; } = failure;
}
