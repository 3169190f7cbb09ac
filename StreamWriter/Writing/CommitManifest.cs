using System.Text.Json.Serialization;

namespace StreamWriter.Writing;

/// <summary>One committed batch of one Kafka partition: offsets [first, last] and the files that hold them.</summary>
public sealed record CommitManifest(
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("partition")] int Partition,
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("first_offset")] long FirstOffset,
    [property: JsonPropertyName("last_offset")] long LastOffset,
    [property: JsonPropertyName("records")] int Records,
    [property: JsonPropertyName("files")] IReadOnlyList<CommittedFile> Files,
    [property: JsonPropertyName("committed_at")] DateTimeOffset CommittedAt,
    [property: JsonPropertyName("writer")] string Writer)
{
    public long NextOffset => LastOffset + 1;
}

public sealed record CommittedFile(
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("staged")] string Staged,
    [property: JsonPropertyName("rows")] int Rows,
    [property: JsonPropertyName("bytes")] long Bytes);

[JsonSerializable(typeof(CommitManifest))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class CommitJsonContext : JsonSerializerContext;
