using System.Collections;
using System.Globalization;
using Parquet.Serialization;

namespace GamePipeline.Lake.Delta;

/// <summary>
/// Reads a checkpoint's rows into actions. Writers differ in which checkpoint fields they declare required or
/// optional (Spark itself does, from release to release), and Parquet.Net's typed reader insists that a class's
/// nullability match the file's; so the rows are read untyped (structs and maps as dictionaries) and converted here,
/// field by field, whatever their nullability or integer width.
/// </summary>
internal static class CheckpointRows
{
    public static async Task<IReadOnlyList<DeltaAction>> ReadAsync(Stream checkpoint, CancellationToken cancellationToken)
    {
        var rows = await ParquetSerializer.DeserializeUntypedAsync(checkpoint, cancellationToken: cancellationToken);
        return [.. rows.Data.Select(ToAction)];
    }

    private static DeltaAction ToAction(Dictionary<string, object> row) => new()
    {
        Txn = Struct(row, "txn") is { } txn ? new TransactionAction { AppId = Text(txn, "appId"), Version = Long(txn, "version"), LastUpdated = Long(txn, "lastUpdated") } : null,
        Add = Struct(row, "add") is { } add
            ? new AddAction
            {
                Path = Text(add, "path"),
                PartitionValues = TextMap(add, "partitionValues"),
                Size = Long(add, "size"),
                ModificationTime = Long(add, "modificationTime"),
                DataChange = Bool(add, "dataChange"),
                Stats = Text(add, "stats"),
                DeletionVector = DeletionVector(add),
            }
            : null,
        Remove = Struct(row, "remove") is { } remove
            ? new RemoveAction { Path = Text(remove, "path"), DeletionTimestamp = Long(remove, "deletionTimestamp"), DataChange = Bool(remove, "dataChange"), DeletionVector = DeletionVector(remove) }
            : null,
        MetaData = Struct(row, "metaData") is { } metadata
            ? new MetadataAction
            {
                Id = Text(metadata, "id"),
                Name = Text(metadata, "name"),
                Description = Text(metadata, "description"),
                SchemaString = Text(metadata, "schemaString"),
                PartitionColumns = TextList(metadata, "partitionColumns"),
                Configuration = TextMap(metadata, "configuration"),
                CreatedTime = Long(metadata, "createdTime"),
            }
            : null,
        Protocol = Struct(row, "protocol") is { } protocol
            ? new ProtocolAction
            {
                MinReaderVersion = (int?)Long(protocol, "minReaderVersion"),
                MinWriterVersion = (int?)Long(protocol, "minWriterVersion"),
                ReaderFeatures = TextList(protocol, "readerFeatures"),
                WriterFeatures = TextList(protocol, "writerFeatures"),
            }
            : null,
    };

    private static DeletionVectorDescriptor? DeletionVector(IDictionary file) =>
        Struct(file, "deletionVector") is { } vector ? new DeletionVectorDescriptor { StorageType = Text(vector, "storageType"), PathOrInlineDv = Text(vector, "pathOrInlineDv") } : null;

    private static object? Value(IDictionary fields, string name) => fields.Contains(name) ? fields[name] : null;

    private static IDictionary? Struct(IDictionary fields, string name) => Value(fields, name) as IDictionary;

    private static string? Text(IDictionary fields, string name) => AsText(Value(fields, name));

    private static string? AsText(object? value) => value switch
    {
        null => null,
        string text => text,
        ReadOnlyMemory<char> chars => chars.ToString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static long? Long(IDictionary fields, string name) =>
        Value(fields, name) is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;

    private static bool? Bool(IDictionary fields, string name) => Value(fields, name) as bool?;

    private static Dictionary<string, string?>? TextMap(IDictionary fields, string name)
    {
        if (Value(fields, name) is not IDictionary map)
        {
            return null;
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var entry = map.GetEnumerator(); entry.MoveNext();)
        {
            values[AsText(entry.Key)!] = AsText(entry.Value);
        }

        return values;
    }

    private static List<string>? TextList(IDictionary fields, string name) =>
        Value(fields, name) is IEnumerable items and not string ? [.. items.Cast<object?>().Select(AsText).OfType<string>()] : null;
}
