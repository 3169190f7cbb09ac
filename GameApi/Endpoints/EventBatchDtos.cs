using System.Text.Json;
using System.Text.Json.Serialization;

namespace GameApi.Endpoints;

/// <summary>POST /v1/events: one user's events, accepted or refused as a whole.</summary>
public sealed record EventBatchRequest(
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("events")] IReadOnlyList<ClientEvent>? Events);

public sealed record ClientEvent(
    [property: JsonPropertyName("event_type")] string? EventType,
    [property: JsonPropertyName("event_id")] Guid? EventId,
    [property: JsonPropertyName("client_time")] DateTimeOffset? ClientTime,
    [property: JsonPropertyName("properties")] JsonElement? Properties);

public sealed record EventBatchAccepted(
    [property: JsonPropertyName("accepted")] int Accepted,
    [property: JsonPropertyName("by_type")] IReadOnlyDictionary<string, int> ByType,
    [property: JsonPropertyName("event_ids")] IReadOnlyList<Guid> EventIds);

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(EventBatchRequest))]
[JsonSerializable(typeof(EventBatchAccepted))]
internal sealed partial class EventBatchJsonContext : JsonSerializerContext;
