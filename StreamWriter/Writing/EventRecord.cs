using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using GamePipeline.Contracts;
using System.Diagnostics;

namespace StreamWriter.Writing;

/// <summary>A Kafka record checked against the event contract: a row for its event table, or a bad event with the reason.</summary>
internal static class EventRecord
{
    private static readonly int EventId = Ordinal(LakeTables.EventColumns, "event_id");
    private static readonly int EventType = Ordinal(LakeTables.EventColumns, "event_type");
    private static readonly int EventTime = Ordinal(LakeTables.EventColumns, "event_time");
    private static readonly int ClientTime = Ordinal(LakeTables.EventColumns, "client_time");
    private static readonly int UserId = Ordinal(LakeTables.EventColumns, "user_id");
    private static readonly int Source = Ordinal(LakeTables.EventColumns, "source");
    private static readonly int Host = Ordinal(LakeTables.EventColumns, "host");
    private static readonly int UserAgent = Ordinal(LakeTables.EventColumns, "user_agent");
    private static readonly int Accept = Ordinal(LakeTables.EventColumns, "accept");
    private static readonly int Headers = Ordinal(LakeTables.EventColumns, "headers");
    private static readonly int Properties = Ordinal(LakeTables.EventColumns, "properties");
    private static readonly int RawEvent = Ordinal(LakeTables.EventColumns, "raw_event");
    private static readonly int Partition = Ordinal(LakeTables.EventColumns, "kafka_partition");
    private static readonly int Offset = Ordinal(LakeTables.EventColumns, "kafka_offset");
    private static readonly int KafkaTimestamp = Ordinal(LakeTables.EventColumns, "kafka_timestamp");
    private static readonly int TraceId = Ordinal(LakeTables.EventColumns, "trace_id");
    public static readonly int EventWrittenAt = Ordinal(LakeTables.EventColumns, "written_at");

    private static readonly int BadReason = Ordinal(LakeTables.BadEventColumns, "reason");
    private static readonly int BadError = Ordinal(LakeTables.BadEventColumns, "error");
    private static readonly int BadRawEvent = Ordinal(LakeTables.BadEventColumns, "raw_event");
    private static readonly int BadRawPayload = Ordinal(LakeTables.BadEventColumns, "raw_payload");
    private static readonly int BadKey = Ordinal(LakeTables.BadEventColumns, "kafka_key");
    private static readonly int BadPartition = Ordinal(LakeTables.BadEventColumns, "kafka_partition");
    private static readonly int BadOffset = Ordinal(LakeTables.BadEventColumns, "kafka_offset");
    private static readonly int BadKafkaTimestamp = Ordinal(LakeTables.BadEventColumns, "kafka_timestamp");
    private static readonly int BadTraceId = Ordinal(LakeTables.BadEventColumns, "trace_id");
    public static readonly int BadWrittenAt = Ordinal(LakeTables.BadEventColumns, "written_at");

    public static int WrittenAt(LakeTable table) => table == LakeTables.BadEvents ? BadWrittenAt : EventWrittenAt;

    /// <summary>Appends the record to the batch its table and date call for; returns the bad-event reason, if any.</summary>
    public static string? Append(ConsumeResult<string?, byte[]> record, ActivityContext producer, int maxEventBytes, Func<LakeTable, DateOnly, TableBatch> batchFor)
    {
        var payload = record.Message.Value ?? [];
        var kafkaTime = record.Message.Timestamp.UtcDateTime;
        var traceId = producer == default ? null : producer.TraceId.ToHexString();
        try
        {
            if (payload.Length > maxEventBytes)
            {
                throw new SchemaViolation("oversize", $"The record is {payload.Length} bytes; events are limited to {maxEventBytes}.");
            }

            AppendEvent(record, payload, kafkaTime, traceId, batchFor);
            return null;
        }
        catch (SchemaViolation violation)
        {
            AppendBad(record, payload, kafkaTime, traceId, violation.Reason, violation.Message, batchFor);
            return violation.Reason;
        }
    }

    private static void AppendEvent(ConsumeResult<string?, byte[]> record, byte[] payload, DateTime kafkaTime, string? traceId, Func<LakeTable, DateOnly, TableBatch> batchFor)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException e)
        {
            throw new SchemaViolation("not_json", e.Message);
        }

        using var parsed = document;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SchemaViolation("wrong_type", $"The event must be a JSON object, not {root.ValueKind}.");
        }

        var schemaVersion = root.TryGetProperty("schema_version", out var version) && version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var v) ? v : -1;
        if (schemaVersion != GameEventEnvelope.CurrentSchemaVersion)
        {
            throw new SchemaViolation(schemaVersion == -1 ? "missing_field" : "unsupported_schema_version", $"schema_version must be {GameEventEnvelope.CurrentSchemaVersion}.");
        }

        var eventType = RequiredString(root, "event_type");
        var table = LakeTables.ForEventType(eventType)
            ?? throw new SchemaViolation("unknown_event_type", $"Unknown event_type '{eventType}' (known: {string.Join(", ", GameEventTypes.All)}).");
        var eventId = RequiredString(root, "event_id");
        if (!root.GetProperty("event_id").TryGetGuid(out _))
        {
            throw new SchemaViolation("wrong_type", $"event_id '{eventId}' is not a UUID.");
        }

        var eventTime = RequiredTimestamp(root, "received_at");
        var clientTime = OptionalTimestamp(root, "client_time");
        var userId = RequiredString(root, "user_id");
        var source = RequiredString(root, "source");
        var host = OptionalString(root, "host");
        var userAgent = OptionalString(root, "user_agent");
        var accept = OptionalString(root, "accept");
        var headers = Json(root, "headers", required: true)!;
        var properties = Json(root, "properties", required: false);

        var batch = batchFor(table, DateOnly.FromDateTime(eventTime));
        batch.String(EventId).Values.Add(eventId);
        batch.String(EventType).Values.Add(eventType);
        batch.Value<DateTime>(EventTime).Values.Add(eventTime);
        batch.NullableValue<DateTime>(ClientTime).Values.Add(clientTime);
        batch.String(UserId).Values.Add(userId);
        batch.String(Source).Values.Add(source);
        batch.String(Host).Values.Add(host);
        batch.String(UserAgent).Values.Add(userAgent);
        batch.String(Accept).Values.Add(accept);
        batch.String(Headers).Values.Add(headers);
        batch.String(Properties).Values.Add(properties);
        batch.String(RawEvent).Values.Add(Encoding.UTF8.GetString(payload));
        batch.Value<int>(Partition).Values.Add(record.Partition.Value);
        batch.Value<long>(Offset).Values.Add(record.Offset.Value);
        batch.Value<DateTime>(KafkaTimestamp).Values.Add(kafkaTime);
        batch.String(TraceId).Values.Add(traceId);
        batch.Value<DateTime>(EventWrittenAt).Values.Add(default);
        batch.RowAdded();
    }

    private static void AppendBad(ConsumeResult<string?, byte[]> record, byte[] payload, DateTime kafkaTime, string? traceId, string reason, string error, Func<LakeTable, DateOnly, TableBatch> batchFor)
    {
        var batch = batchFor(LakeTables.BadEvents, DateOnly.FromDateTime(kafkaTime));
        batch.String(BadReason).Values.Add(reason);
        batch.String(BadError).Values.Add(error);
        batch.String(BadRawEvent).Values.Add(Encoding.UTF8.GetString(payload));
        batch.Binary(BadRawPayload).Values.Add(payload);
        batch.String(BadKey).Values.Add(record.Message.Key);
        batch.Value<int>(BadPartition).Values.Add(record.Partition.Value);
        batch.Value<long>(BadOffset).Values.Add(record.Offset.Value);
        batch.Value<DateTime>(BadKafkaTimestamp).Values.Add(kafkaTime);
        batch.String(BadTraceId).Values.Add(traceId);
        batch.Value<DateTime>(BadWrittenAt).Values.Add(default);
        batch.RowAdded();
    }

    private static string RequiredString(JsonElement root, string name) =>
        OptionalString(root, name) ?? throw new SchemaViolation("missing_field", $"{name} is required.");

    private static string? OptionalString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new SchemaViolation("wrong_type", $"{name} must be a string, not {value.ValueKind}.");
    }

    private static DateTime RequiredTimestamp(JsonElement root, string name) =>
        OptionalTimestamp(root, name) ?? throw new SchemaViolation("missing_field", $"{name} is required.");

    private static DateTime? OptionalTimestamp(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new SchemaViolation("wrong_type", $"{name} must be an ISO 8601 timestamp string, not {value.ValueKind}.");
        }

        // The JSON reader's own ISO 8601 parser: no intermediate string, no culture lookups.
        if (value.TryGetDateTimeOffset(out var timestamp))
        {
            return timestamp.UtcDateTime;
        }

        return DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp)
            ? timestamp.UtcDateTime
            : throw new SchemaViolation("wrong_type", $"{name} '{value.GetString()}' is not an ISO 8601 timestamp.");
    }

    private static string? Json(JsonElement root, string name, bool required)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new SchemaViolation("missing_field", $"{name} is required.") : null;
        }

        return value.ValueKind == JsonValueKind.Object
            ? value.GetRawText()
            : throw new SchemaViolation("wrong_type", $"{name} must be a JSON object, not {value.ValueKind}.");
    }

    private static int Ordinal(IReadOnlyList<LakeColumn> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"No column {name}");
    }

    private sealed class SchemaViolation(string reason, string message) : Exception(message)
    {
        public string Reason { get; } = reason;
    }
}
