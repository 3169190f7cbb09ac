using System.Collections.Frozen;
using System.Text.Json;
using GamePipeline.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace GameApi.Ingest;

/// <summary>Builds envelopes from requests: the server's fields first, the request's headers (credentials removed) apart.</summary>
public sealed class EventFactory(IOptions<IngestOptions> options, TimeProvider clock)
{
    public const string UserIdHeader = "X-User-Id";

    private readonly FrozenSet<string> _redacted = options.Value.RedactedHeaders.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public GameEventEnvelope FromRoute(HttpRequest request, string eventType) =>
        Create(request, eventType, EventSources.Route, eventId: null, clientTime: null, userId: null, properties: null, Headers(request));

    public GameEventEnvelope FromBatch(HttpRequest request, string eventType, Guid? eventId, DateTimeOffset? clientTime, string? userId, JsonElement? properties, IReadOnlyDictionary<string, string> headers) =>
        Create(request, eventType, EventSources.Batch, eventId, clientTime, userId, properties, headers);

    public IReadOnlyDictionary<string, string> Headers(HttpRequest request)
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

    private GameEventEnvelope Create(HttpRequest request, string eventType, string source, Guid? eventId, DateTimeOffset? clientTime, string? userId, JsonElement? properties, IReadOnlyDictionary<string, string> headers)
    {
        var host = request.Headers.Host.ToString();
        return new GameEventEnvelope
        {
            EventId = eventId ?? Guid.CreateVersion7(),
            EventType = eventType,
            ReceivedAt = clock.GetUtcNow(),
            ClientTime = clientTime,
            UserId = FirstNonEmpty(userId, request.Headers[UserIdHeader].ToString(), host) ?? "",
            Source = source,
            Host = NullIfEmpty(host),
            UserAgent = NullIfEmpty(request.Headers[HeaderNames.UserAgent].ToString()),
            Accept = NullIfEmpty(request.Headers[HeaderNames.Accept].ToString()),
            Headers = headers,
            Properties = properties,
        };
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string? FirstNonEmpty(params string?[] candidates) => candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c));
}
