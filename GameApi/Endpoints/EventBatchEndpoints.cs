using System.Buffers;
using System.Text.Json;
using GameApi.Ingest;
using GamePipeline.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GameApi.Endpoints;

/// <summary>
/// The batch endpoint for real mobile clients. All or nothing: a batch with any invalid event is refused
/// whole (4xx, nothing written); a 202 means Kafka acknowledged every event of it.
/// </summary>
public static class EventBatchEndpoints
{
    public static IEndpointRouteBuilder MapEventBatchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/events").WithTags("Events")
            .RequireAuthorization(GameApiExtensions.WriteKeyScheme)
            .WithMetadata(Auth.IngestEndpoint.Instance);
        api.MapPost("", PostEvents)
            .WithName("PostEvents")
            .WithSummary("Records a batch of one user's events.")
            .WithDescription("202 once Kafka has acknowledged every event; 400/413/415 refuse the whole batch and record nothing; 503 with Retry-After when Kafka is unavailable. "
                + "An event's event_id is its idempotency key; events without one take ids derived from the request's Idempotency-Key header, if any. "
                + "A key sent again (by the same user, within the writers' dedup window) is written to the lake once; the retry is answered as the first request was.")
            .Accepts<EventBatchRequest>("application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Results<Accepted<EventBatchAccepted>, ValidationProblem, ProblemHttpResult>> PostEvents(
        HttpRequest request, EventFactory events, EventPublisher publisher, IOptions<IngestOptions> options, GameApiMetrics metrics, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(EventBatchEndpoints));
        var limits = options.Value;
        if (!request.HasJsonContentType())
        {
            return Refuse(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                $"The body must be JSON (Content-Type: application/json), not '{request.ContentType ?? "(none)"}'.");
        }

        if (request.ContentLength > limits.MaxBatchBytes)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "body_too_large", $"The body is {request.ContentLength} bytes; the limit is {limits.MaxBatchBytes}.");
        }

        var body = await ReadBodyAsync(request, limits.MaxBatchBytes, request.HttpContext.RequestAborted);
        if (body is null)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "body_too_large", $"The body exceeds the limit of {limits.MaxBatchBytes} bytes.");
        }

        EventBatchRequest? batch;
        try
        {
            batch = JsonSerializer.Deserialize(body.Value.Span, EventBatchJsonContext.Default.EventBatchRequest);
        }
        catch (JsonException e)
        {
            return Refuse(StatusCodes.Status400BadRequest, "malformed_json", $"The body is not a valid event batch: {e.Message}");
        }

        if (batch?.Events is not { Count: > 0 } clientEvents)
        {
            return Refuse(StatusCodes.Status400BadRequest, "no_events", "The batch has no 'events'.");
        }

        if (clientEvents.Count > limits.MaxBatchEvents)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "too_many_events", $"The batch has {clientEvents.Count} events; the limit is {limits.MaxBatchEvents}.");
        }

        var errors = Validate(clientEvents, limits);
        var (idempotencyKey, keyProblem) = IdempotencyKey.Read(request);
        if (keyProblem is not null)
        {
            errors[IdempotencyKey.Header] = [keyProblem];
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var (envelopes, userIdProblem) = events.FromBatch(request, batch.UserId, clientEvents, idempotencyKey);
        if (userIdProblem is not null)
        {
            return Invalid(new Dictionary<string, string[]> { [userIdProblem.Source] = [userIdProblem.Detail] });
        }

        // Every event is serialized before anything is sent, and the batch is sent as one record: it is refused or
        // written whole.
        var serialized = new byte[envelopes.Count][];
        for (var i = 0; i < serialized.Length; i++)
        {
            try
            {
                serialized[i] = EventPublisher.Serialize(envelopes[i]);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                errors[$"events[{i}]"] = [$"The event cannot be encoded as JSON: {e.Message}"];
            }
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var record = EventPublisher.ToBatchMessage(envelopes[0].UserId, serialized);
        if (record.Value.Length > limits.MaxRecordBytes)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "record_too_large",
                $"With their envelopes the events come to {record.Value.Length} bytes; a batch is limited to {limits.MaxRecordBytes}. Send fewer events per batch.");
        }

        await publisher.PublishAsync(envelopes, record);

        var byType = envelopes.CountBy(e => e.EventType).ToDictionary(g => g.Key, g => g.Value);
        return TypedResults.Accepted((string?)null, new EventBatchAccepted(envelopes.Count, byType, [.. envelopes.Select(e => e.EventId)]));

        ValidationProblem Invalid(Dictionary<string, string[]> errors)
        {
            metrics.Rejected("invalid_event");
            GameApiLog.BatchRejected(logger, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
            return TypedResults.ValidationProblem(errors, title: "The batch was refused; no event was recorded.", type: "https://gamepipeline.dev/problems/invalid-event");
        }

        ProblemHttpResult Refuse(int status, string reason, string detail)
        {
            metrics.Rejected(reason);
            GameApiLog.BatchRejected(logger, detail);
            return TypedResults.Problem(detail, statusCode: status, title: "The batch was refused; no event was recorded.", type: $"https://gamepipeline.dev/problems/{reason.Replace('_', '-')}");
        }
    }

    private static Dictionary<string, string[]> Validate(IReadOnlyList<ClientEvent> clientEvents, IngestOptions limits)
    {
        var errors = new Dictionary<string, string[]>();
        var firstWithId = new Dictionary<Guid, int>();
        for (var i = 0; i < clientEvents.Count; i++)
        {
            var clientEvent = clientEvents[i];
            if (clientEvent is null)
            {
                errors[$"events[{i}]"] = ["The event is null."];
                continue;
            }

            if (!GameEventTypes.IsKnown(clientEvent.EventType))
            {
                errors[$"events[{i}].event_type"] = [clientEvent.EventType is null
                    ? $"event_type is required (one of: {string.Join(", ", GameEventTypes.All)})."
                    : $"Unknown event_type '{clientEvent.EventType}' (known: {string.Join(", ", GameEventTypes.All)})."];
            }

            if (clientEvent.EventId == Guid.Empty)
            {
                errors[$"events[{i}].event_id"] = ["event_id, when given, must be a non-empty UUID."];
            }
            else if (clientEvent.EventId is { } eventId && !firstWithId.TryAdd(eventId, i))
            {
                errors[$"events[{i}].event_id"] = [$"event_id repeats that of events[{firstWithId[eventId]}]: an event id names one event."];
            }

            if (clientEvent.Properties is { } properties)
            {
                if (properties.ValueKind != JsonValueKind.Object)
                {
                    errors[$"events[{i}].properties"] = [$"properties must be a JSON object, not {properties.ValueKind}."];
                }
                else if (System.Text.Encoding.UTF8.GetByteCount(properties.GetRawText()) > limits.MaxPropertiesBytes)
                {
                    errors[$"events[{i}].properties"] = [$"properties exceed {limits.MaxPropertiesBytes} bytes."];
                }
                else if (UnicodeText.FirstInvalid(properties, $"events[{i}].properties") is { } invalidAt)
                {
                    errors[invalidAt] = ["The text is not valid Unicode (an unpaired UTF-16 surrogate escape such as \\udc00)."];
                }
            }
        }

        return errors;
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit, (int?)request.ContentLength ?? 16 * 1024) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }
}
