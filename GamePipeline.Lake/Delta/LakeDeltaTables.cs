using System.Globalization;
using System.Text.Json;
using GamePipeline.Contracts;

namespace GamePipeline.Lake.Delta;

/// <summary>The lake's tables as Delta tables: their schema, partitioning and table properties, from the contract.</summary>
public static class LakeDeltaTables
{
    /// <summary>A checkpoint every this many commits, unless configured otherwise (Delta's own default).</summary>
    public const int DefaultCheckpointInterval = 10;

    /// <summary>
    /// Table property naming the columns added after the table had files (comma-separated): a file whose statistics
    /// have no null count for one of them predates it, and readers read it as null there.
    /// </summary>
    public const string ColumnsAddedLater = "gamepipeline.columnsAddedLater";

    /// <summary>
    /// The table's definition: the contract's columns plus <c>dt</c> (a date partition column), and the checkpoint
    /// interval, when given, as <c>delta.checkpointInterval</c> (a property other writers of the table keep to).
    /// </summary>
    public static DeltaTableDefinition Definition(LakeTable table, int? checkpointInterval = null)
    {
        var configuration = new Dictionary<string, string>();
        if (checkpointInterval is { } interval)
        {
            configuration["delta.checkpointInterval"] = interval.ToString(CultureInfo.InvariantCulture);
        }

        if (table.Columns.Where(c => c.AddedLater).Select(c => c.Name).ToList() is { Count: > 0 } added)
        {
            configuration[ColumnsAddedLater] = string.Join(',', added);
        }

        return new DeltaTableDefinition(SchemaString(table), [LakeTables.PartitionColumn], configuration);
    }

    /// <summary>The columns a snapshot's table says were added after it had files (<see cref="ColumnsAddedLater"/>).</summary>
    public static IReadOnlyList<string> AddedLater(DeltaSnapshot snapshot) =>
        snapshot.Metadata.Configuration?.GetValueOrDefault(ColumnsAddedLater) is { Length: > 0 } names ? names.Split(',') : [];

    /// <summary>Whether the file has <paramref name="column"/>: its statistics count the column's nulls (files without statistics are taken to have it).</summary>
    public static bool HasColumn(DeltaFile file, string column)
    {
        if (file.Stats is not { Length: > 0 } stats)
        {
            return true;
        }

        using var json = JsonDocument.Parse(stats);
        return json.RootElement.TryGetProperty("nullCount", out var nulls) && nulls.TryGetProperty(column, out _);
    }

    /// <summary>Delta's JSON struct type (PROTOCOL.md, "Schema Serialization Format"); each column's description is its comment.</summary>
    public static string SchemaString(LakeTable table)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "struct");
            json.WriteStartArray("fields");
            foreach (var column in table.Columns)
            {
                WriteField(json, column.Name, DeltaType(column.Type), column.Nullable, column.Description);
            }

            WriteField(json, LakeTables.PartitionColumn, "date", nullable: false, "UTC date of the event time (partition)");
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string DeltaType(LakeColumnType type) => type switch
    {
        LakeColumnType.String => "string",
        LakeColumnType.Timestamp => "timestamp",
        LakeColumnType.Int32 => "integer",
        LakeColumnType.Int64 => "long",
        LakeColumnType.Binary => "binary",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static void WriteField(Utf8JsonWriter json, string name, string type, bool nullable, string comment)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("type", type);
        json.WriteBoolean("nullable", nullable);
        json.WriteStartObject("metadata");
        json.WriteString("comment", comment);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
