using System.Collections.Frozen;
using System.Text.Json;
using GameApi.Endpoints;
using GamePipeline.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace GameApi.Ingest;

/// <summary>Builds envelopes from requests: the server's fields first, the request's headers (credentials removed) apart.</summary>
public sealed class EventFactory(IOptions<IngestOptions> options, TimeProvider clock)
{
    public const string UserIdHeader = "X-User-Id";

    private readonly FrozenSet<string> _redacted = options.Value.RedactedHeaders.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The event a seed route records, or why it cannot (no usable user id). With an <paramref name="idempotencyKey"/>
    /// its id is derived from the user and the key, so a retry is the same event.
    /// </summary>
    public (GameEventEnvelope? Event, UserIdProblem? Problem) FromRoute(HttpRequest request, string eventType, string? idempotencyKey)
    {
        var (userId, problem) = UserId(request, claimed: null);
        if (userId is null)
        {
            return (null, problem);
        }

        var (eventId, key) = Identity(userId, clientEventId: null, idempotencyKey, index: 0);
        return (Create(request, eventType, EventSources.Route, userId, eventId, key, clientTime: null, properties: null, Headers(request)), null);
    }

    /// <summary>
    /// A batch's events, all for one user, or why there is none (no usable user id). An event's own event_id is its
    /// idempotency key; one without gets an id derived from the request's <paramref name="idempotencyKey"/>, if any.
    /// </summary>
    public (IReadOnlyList<GameEventEnvelope> Events, UserIdProblem? Problem) FromBatch(HttpRequest request, string? claimedUserId, IReadOnlyList<ClientEvent> clientEvents, string? idempotencyKey)
    {
        var (userId, problem) = UserId(request, claimedUserId);
        if (userId is null)
        {
            return ([], problem);
        }

        var headers = Headers(request);
        return ([.. clientEvents.Select((e, index) =>
        {
            var (eventId, key) = Identity(userId, e.EventId, idempotencyKey, index);
            return Create(request, e.EventType!, EventSources.Batch, userId, eventId, key, e.ClientTime, e.Properties, headers);
        })], null);
    }

    /// <summary>An event's id and idempotency key: the client's event_id, one derived from the request's key, or a new UUIDv7 and none.</summary>
    private static (Guid EventId, string? Key) Identity(string userId, Guid? clientEventId, string? requestKey, int index) =>
        clientEventId is { } own ? (own, own.ToString())
        : requestKey is not null ? (IdempotencyKey.EventId(userId, requestKey, index), requestKey)
        : (Guid.CreateVersion7(), null);

    /// <summary>
    /// Whose event it is: the batch's <c>user_id</c>, else the <c>X-User-Id</c> header, else the Host header (the
    /// seed's players are told apart by host). Wherever it comes from, one limit applies: 1 to
    /// <see cref="IngestOptions.MaxUserIdLength"/> characters of valid Unicode. An event never has an empty user
    /// id: it is the Kafka key that keeps one user's events in order.
    /// </summary>
    private (string? UserId, UserIdProblem? Problem) UserId(HttpRequest request, string? claimed)
    {
        var (source, userId) = claimed is not null ? ("user_id", claimed)
            : request.Headers[UserIdHeader].ToString() is { Length: > 0 } header ? (UserIdHeader, header)
            : ("Host", request.Headers.Host.ToString());
        var limit = options.Value.MaxUserIdLength;
        if (userId.Length == 0)
        {
            return (null, new UserIdProblem(source, claimed is null
                ? $"No user id: send the {UserIdHeader} header or a Host header."
                : $"user_id must be 1 to {limit} characters."));
        }

        if (userId.Length > limit)
        {
            return (null, new UserIdProblem(source, $"The user id ({source}) is {userId.Length} characters; the limit is {limit}."));
        }

        return UnicodeText.IsValid(userId)
            ? (userId, null)
            : (null, new UserIdProblem(source, $"The user id ({source}) is not valid Unicode."));
    }

    private IReadOnlyDictionary<string, string> Headers(HttpRequest request)
    {
        var headers = new Dictionary<string, string>(request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            if (!_redacted.Contains(name))
            {
                headers[name] = values.ToString();
            }
        }

        return headers;
    }

    private GameEventEnvelope Create(HttpRequest request, string eventType, string source, string userId, Guid eventId, string? idempotencyKey, DateTimeOffset? clientTime, JsonElement? properties, IReadOnlyDictionary<string, string> headers) => new()
    {
        EventId = eventId,
        IdempotencyKey = idempotencyKey,
        Sender = request.HttpContext.User.Identity is { IsAuthenticated: true, Name: { } sender } ? sender : null,
        EventType = eventType,
        ReceivedAt = clock.GetUtcNow(),
        ClientTime = clientTime,
        UserId = userId,
        Source = source,
        Host = NullIfEmpty(request.Headers.Host.ToString()),
        UserAgent = NullIfEmpty(request.Headers[HeaderNames.UserAgent].ToString()),
        Accept = NullIfEmpty(request.Headers[HeaderNames.Accept].ToString()),
        Headers = headers,
        Properties = properties,
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}

/// <summary>Why a request's user id was refused: where it came from (a field or header) and what is wrong.</summary>
public sealed record UserIdProblem(string Source, string Detail);
