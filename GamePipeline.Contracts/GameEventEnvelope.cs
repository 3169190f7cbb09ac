using System.Text.Json;
using System.Text.Json.Serialization;

namespace GamePipeline.Contracts;

/// <summary>
/// One game event as it travels on topic <c>events</c> (UTF-8 JSON, keyed by <see cref="UserId"/>). The server
/// owns every top-level field; request headers live only under <see cref="Headers"/>, so no header can
/// overwrite the event's own fields. Documented in docs/event-contract.md.
/// </summary>
public sealed record GameEventEnvelope
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schema_version")]
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    [JsonPropertyName("event_id")]
    public required Guid EventId { get; init; }

    /// <summary>
    /// The key the client sent for this event — the Idempotency-Key header of a seed route or a batch, or the
    /// event's own event_id in a batch — or null. Events with a key are written once per user and key within the
    /// writers' dedup window; <see cref="EventId"/> is then the client's id or one derived from the key.
    /// </summary>
    [JsonPropertyName("idempotency_key")]
    public string? IdempotencyKey { get; init; }

    /// <summary>The source whose write key sent the event (GameApi's <c>WriteKeys</c>); null when keys are optional and none was sent.</summary>
    [JsonPropertyName("sender")]
    public string? Sender { get; init; }

    [JsonPropertyName("event_type")]
    public required string EventType { get; init; }

    /// <summary>When GameApi received the request (UTC, server clock).</summary>
    [JsonPropertyName("received_at")]
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When the client says the event happened (batch endpoint only; device clock).</summary>
    [JsonPropertyName("client_time")]
    public DateTimeOffset? ClientTime { get; init; }

    /// <summary>Who the event is about: the batch's user_id, else header X-User-Id, else the Host header (as in the seed's scenario).</summary>
    [JsonPropertyName("user_id")]
    public required string UserId { get; init; }

    /// <summary><c>route</c> (one of the seed's GET routes) or <c>batch</c> (POST /v1/events).</summary>
    [JsonPropertyName("source")]
    public required string Source { get; init; }

    [JsonPropertyName("host")]
    public string? Host { get; init; }

    [JsonPropertyName("user_agent")]
    public string? UserAgent { get; init; }

    [JsonPropertyName("accept")]
    public string? Accept { get; init; }

    /// <summary>The request's headers, credentials removed (the metadata the seed logged).</summary>
    [JsonPropertyName("headers")]
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>Free-form properties sent by the client (batch endpoint only).</summary>
    [JsonPropertyName("properties")]
    public JsonElement? Properties { get; init; }
}

public static class EventSources
{
    public const string Route = "route";
    public const string Batch = "batch";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GameEventEnvelope))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
