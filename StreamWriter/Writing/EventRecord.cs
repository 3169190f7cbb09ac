using System.Globalization;
using System.Text;
using System.Text.Json;
using GamePipeline.Contracts;

namespace StreamWriter.Writing;

/// <summary>
/// Where a batch's records are parsed to: the partition's epoch and keys, the batch's text, the table batches by table
/// and date, and what the parse found that is counted (bad events by reason, duplicates by the table they repeat).
/// </summary>
internal sealed class ParseTarget(int partition, int epoch, TextStore text, int maxEventBytes, KeyWindow keys, ErasedUsers erased, Func<LakeTable, DateOnly, TableBatch> batchFor)
{
    public int Partition { get; } = partition;

    public int Epoch { get; } = epoch;

    public TextStore Text { get; } = text;

    public int MaxEventBytes { get; } = maxEventBytes;

    public KeyWindow Keys { get; } = keys;

    public ErasedUsers Erased { get; } = erased;

    public TableBatch BatchFor(LakeTable table, DateOnly date) => batchFor(table, date);

    public List<string> BadReasons { get; } = [];

    /// <summary>Per duplicate, the name of the table the event it repeats is in.</summary>
    public List<string> DuplicatesOf { get; } = [];

    /// <summary>Per event of an erased user, dropped, the name of the table it would have gone to.</summary>
    public List<string> ErasedFrom { get; } = [];
}

/// <summary>
/// A held Kafka record checked against the event contract: a row for its event table (and its key's row, if it has
/// one), a duplicate of an event the lake holds, or a bad event with the reason.
/// </summary>
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
    private static readonly int Sender = Ordinal(LakeTables.EventColumns, "sender");

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

    private static readonly int DuplicateKey = Ordinal(LakeTables.DuplicateEventColumns, "idempotency_key");
    private static readonly int DuplicateOfOffset = Ordinal(LakeTables.DuplicateEventColumns, "original_kafka_offset");
    private static readonly int DuplicateOfTime = Ordinal(LakeTables.DuplicateEventColumns, "original_event_time");

    private static readonly int KeyUserId = Ordinal(LakeTables.IdempotencyKeyColumns, "user_id");
    private static readonly int KeyEventId = Ordinal(LakeTables.IdempotencyKeyColumns, "event_id");
    private static readonly int KeyEventType = Ordinal(LakeTables.IdempotencyKeyColumns, "event_type");
    private static readonly int KeyEventTime = Ordinal(LakeTables.IdempotencyKeyColumns, "event_time");
    private static readonly int KeyPartition = Ordinal(LakeTables.IdempotencyKeyColumns, "kafka_partition");
    private static readonly int KeyEpoch = Ordinal(LakeTables.IdempotencyKeyColumns, "kafka_epoch");
    private static readonly int KeyOffset = Ordinal(LakeTables.IdempotencyKeyColumns, "kafka_offset");
    public static readonly int KeyWrittenAt = Ordinal(LakeTables.IdempotencyKeyColumns, "written_at");

    /// <summary>The <c>written_at</c> column of a table (a duplicate's is where its event's is).</summary>
    public static int WrittenAt(LakeTable table) =>
        table == LakeTables.BadEvents ? BadWrittenAt
        : table == LakeTables.IdempotencyKeys ? KeyWrittenAt
        : EventWrittenAt;

    /// <summary>
    /// Appends the record's events to the batches their tables and dates call for, and counts what the target counts.
    /// A record holds one event (a JSON object) or a batch of one user's events (a JSON array of them: GameApi sends
    /// a batch as one record, so that it reaches Kafka whole or not at all); each of a batch's events is checked and
    /// stored on its own.
    /// </summary>
    public static void Append(HeldRecord record, ParseTarget target)
    {
        var payload = target.Text[record.Payload];
        if (payload.Length > 0 && payload[0] == (byte)'[')
        {
            AppendBatch(record, target, payload);
        }
        else if (AppendOne(record, target, payload, index: 0) is { } badReason)
        {
            target.BadReasons.Add(badReason);
        }
    }

    private static void AppendBatch(HeldRecord record, ParseTarget target, ReadOnlySpan<byte> payload)
    {
        var events = new List<Range>();
        try
        {
            var reader = new Utf8JsonReader(payload);
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                events.Add(start..(int)reader.BytesConsumed);
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                throw new JsonException("The batch is not one JSON array.");
            }
        }
        catch (JsonException e)
        {
            // Not even the batch's events can be told apart: the record is kept whole as one bad event.
            AppendBad(record, target, payload, "not_json", e.Message);
            target.BadReasons.Add("not_json");
            return;
        }

        if (events.Count == 0)
        {
            AppendBad(record, target, payload, "empty_batch", "The batch holds no event.");
            target.BadReasons.Add("empty_batch");
        }

        for (var index = 0; index < events.Count; index++)
        {
            if (AppendOne(record, target, payload[events[index]], index) is { } badReason)
            {
                target.BadReasons.Add(badReason);
            }
        }
    }

    /// <summary>Appends one event (the <paramref name="index"/>th of its record); returns the bad-event reason, if it is one.</summary>
    private static string? AppendOne(HeldRecord record, ParseTarget target, ReadOnlySpan<byte> payload, int index)
    {
        try
        {
            if (payload.Length > target.MaxEventBytes)
            {
                throw new SchemaViolation("oversize", $"The event is {payload.Length} bytes; events are limited to {target.MaxEventBytes}.");
            }

            AppendEvent(record, target, payload, index);
            return null;
        }
        catch (SchemaViolation violation)
        {
            AppendBad(record, target, payload, violation.Reason, violation.Message);
            return violation.Reason;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            // No record may stop the writer or vanish: whatever the parser trips on is kept as a bad event.
            // (Columns are appended only after every check passed, so nothing half-written stays behind.)
            AppendBad(record, target, payload, "unreadable", e.Message);
            return "unreadable";
        }
    }

    /// <summary>
    /// One pass over the payload with a forward-only reader; columns are appended only once every check passed. An
    /// event with an idempotency key is checked against the partition's keys: a new key is written beside the event
    /// (table <c>idempotency_keys</c>), a key the window holds makes the event a duplicate, written to
    /// <c>duplicate_events</c> instead of its table.
    /// </summary>
    private static void AppendEvent(HeldRecord record, ParseTarget target, ReadOnlySpan<byte> payload, int index)
    {
        var fields = new Fields();
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new SchemaViolation("wrong_type", $"The event must be a JSON object, not {reader.TokenType}.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadField(ref reader, ref fields);
            }

            // Anything after the object is malformed JSON.
            if (reader.Read())
            {
                throw new JsonException($"Unexpected {reader.TokenType} after the event object.");
            }
        }
        catch (JsonException e)
        {
            throw new SchemaViolation("not_json", e.Message);
        }

        if (fields.SchemaVersion != GameEventEnvelope.CurrentSchemaVersion)
        {
            throw new SchemaViolation(fields.SchemaVersion is null ? "missing_field" : "unsupported_schema_version", $"schema_version must be {GameEventEnvelope.CurrentSchemaVersion}.");
        }

        var table = Required(fields.EventType, "event_type") switch
        {
            var known when LakeTables.ForEventType(known) is { } t => t,
            var unknown => throw new SchemaViolation("unknown_event_type", $"Unknown event_type '{unknown}' (known: {string.Join(", ", GameEventTypes.All)})."),
        };
        var eventId = Required(fields.EventId, "event_id");
        var eventTime = fields.ReceivedAt ?? throw new SchemaViolation("missing_field", "received_at is required.");
        var userId = Required(fields.UserId, "user_id");
        var source = Required(fields.Source, "source");
        var headers = Required(fields.Headers, "headers");

        if (target.Erased.Count > 0 && (userId.Unescaped is { } erasedUser ? target.Erased.Contains(erasedUser) : target.Erased.Contains(payload.Slice(userId.Start, userId.Length))))
        {
            // The user was erased: the event never reaches the lake, not even as a key or a duplicate.
            target.ErasedFrom.Add(table.Name);
            return;
        }

        var date = DateOnly.FromDateTime(eventTime);
        KeySeen? original = null;
        if (fields.IdempotencyKey is not null)
        {
            // event_id is required, so it was read as a UUID.
            var guid = fields.EventGuid!.Value;
            var key = userId.Unescaped is { } unescapedUser ? KeyId.Of(guid, unescapedUser) : KeyId.Of(guid, payload.Slice(userId.Start, userId.Length));
            original = target.Keys.Accept(key, new EventPosition(target.Epoch, record.Offset, index), eventTime);
            if (original is null)
            {
                AppendKey(record, target, payload, table, eventTime, userId, eventId, date);
            }
            else
            {
                target.DuplicatesOf.Add(table.Name);
            }
        }

        var batch = target.BatchFor(original is null ? table : LakeTables.DuplicateEvents, date);
        // The raw event first: the fields are parts of it, and an ASCII payload's (nearly every one) are added as
        // references to its characters instead of being decoded a second time.
        var rawEvent = new RawText(payload, batch.String(RawEvent).Add(payload, out var ascii), ascii);
        Add(batch.String(EventId), rawEvent, eventId);
        batch.String(EventType).Add(table.EventType);
        batch.Value<DateTime>(EventTime).Values.Add(eventTime);
        batch.NullableValue<DateTime>(ClientTime).Values.Add(fields.ClientTime);
        Add(batch.String(UserId), rawEvent, userId);
        Add(batch.String(Source), rawEvent, source);
        Add(batch.String(Host), rawEvent, fields.Host);
        Add(batch.String(UserAgent), rawEvent, fields.UserAgent);
        Add(batch.String(Accept), rawEvent, fields.Accept);
        Add(batch.String(Headers), rawEvent, headers);
        Add(batch.String(Properties), rawEvent, fields.Properties);
        batch.Value<int>(Partition).Values.Add(target.Partition);
        batch.Value<long>(Offset).Values.Add(record.Offset);
        batch.Value<DateTime>(KafkaTimestamp).Values.Add(record.KafkaTime);
        record.TraceId.AddTo(batch.String(TraceId));
        batch.Value<DateTime>(EventWrittenAt).Values.Add(default);
        Add(batch.String(Sender), rawEvent, fields.Sender);
        if (original is { } repeated)
        {
            Add(batch.String(DuplicateKey), rawEvent, fields.IdempotencyKey);
            batch.Value<long>(DuplicateOfOffset).Values.Add(repeated.Position.Offset);
            batch.Value<DateTime>(DuplicateOfTime).Values.Add(repeated.Time);
        }

        batch.RowAdded();
    }

    /// <summary>The row of an accepted event's key in <c>idempotency_keys</c>.</summary>
    private static void AppendKey(HeldRecord record, ParseTarget target, ReadOnlySpan<byte> payload, LakeTable table, DateTime eventTime, Slice userId, Slice eventId, DateOnly date)
    {
        var batch = target.BatchFor(LakeTables.IdempotencyKeys, date);
        AddDecoded(batch.String(KeyUserId), payload, userId);
        AddDecoded(batch.String(KeyEventId), payload, eventId);
        batch.String(KeyEventType).Add(table.EventType);
        batch.Value<DateTime>(KeyEventTime).Values.Add(eventTime);
        batch.Value<int>(KeyPartition).Values.Add(target.Partition);
        batch.Value<int>(KeyEpoch).Values.Add(target.Epoch);
        batch.Value<long>(KeyOffset).Values.Add(record.Offset);
        batch.Value<DateTime>(KeyWrittenAt).Values.Add(default);
        batch.RowAdded();
    }

    /// <summary>Adds a field of the payload to a column of another table batch than the raw event's (decoded again).</summary>
    private static void AddDecoded(StringColumn column, ReadOnlySpan<byte> payload, Slice value)
    {
        if (value.Unescaped is { } unescaped)
        {
            column.Add(unescaped);
        }
        else
        {
            column.Add(payload.Slice(value.Start, value.Length));
        }
    }

    /// <param name="payload">The bad event: the whole record, or one event of a batch record.</param>
    private static void AppendBad(HeldRecord record, ParseTarget target, ReadOnlySpan<byte> payload, string reason, string error)
    {
        var text = target.Text;
        if (!record.Key.IsNull && target.Erased.Count > 0 && target.Erased.Contains(text[record.Key]))
        {
            // Keyed by an erased user: its payload is that user's too.
            target.ErasedFrom.Add(LakeTables.BadEvents.Name);
            return;
        }

        var batch = target.BatchFor(LakeTables.BadEvents, DateOnly.FromDateTime(record.KafkaTime));
        batch.String(BadReason).Add(reason);
        batch.String(BadError).Add(error);
        batch.String(BadRawEvent).Add(payload);
        batch.Binary(BadRawPayload).Values.Add(payload.ToArray());
        if (record.Key.IsNull)
        {
            batch.String(BadKey).AddNull();
        }
        else
        {
            batch.String(BadKey).Add(text[record.Key]);
        }

        batch.Value<int>(BadPartition).Values.Add(target.Partition);
        batch.Value<long>(BadOffset).Values.Add(record.Offset);
        batch.Value<DateTime>(BadKafkaTimestamp).Values.Add(record.KafkaTime);
        record.TraceId.AddTo(batch.String(BadTraceId));
        batch.Value<DateTime>(BadWrittenAt).Values.Add(default);
        batch.RowAdded();
    }

    /// <summary>A JSON value found in the payload: a slice of it, or unescaped text when it had escapes.</summary>
    private readonly record struct Slice(int Start, int Length, string? Unescaped);

    private struct Fields
    {
        public int? SchemaVersion;
        public string? EventType;
        public Slice? EventId;
        public Guid? EventGuid;
        public Slice? IdempotencyKey;
        public Slice? Sender;
        public DateTime? ReceivedAt;
        public DateTime? ClientTime;
        public Slice? UserId;
        public Slice? Source;
        public Slice? Host;
        public Slice? UserAgent;
        public Slice? Accept;
        public Slice? Headers;
        public Slice? Properties;
    }

    private enum Field
    {
        Unknown,
        SchemaVersion,
        EventType,
        EventId,
        ReceivedAt,
        ClientTime,
        UserId,
        Source,
        Host,
        UserAgent,
        Accept,
        Headers,
        Properties,
        IdempotencyKey,
        Sender,
    }

    /// <summary>Which envelope field a property name is: by length first, so a name is compared with one or two candidates.</summary>
    private static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("host"u8) => Field.Host,
        6 when name.SequenceEqual("source"u8) => Field.Source,
        6 when name.SequenceEqual("accept"u8) => Field.Accept,
        6 when name.SequenceEqual("sender"u8) => Field.Sender,
        7 when name.SequenceEqual("user_id"u8) => Field.UserId,
        7 when name.SequenceEqual("headers"u8) => Field.Headers,
        8 when name.SequenceEqual("event_id"u8) => Field.EventId,
        10 when name.SequenceEqual("event_type"u8) => Field.EventType,
        10 when name.SequenceEqual("user_agent"u8) => Field.UserAgent,
        10 when name.SequenceEqual("properties"u8) => Field.Properties,
        11 when name.SequenceEqual("received_at"u8) => Field.ReceivedAt,
        11 when name.SequenceEqual("client_time"u8) => Field.ClientTime,
        14 when name.SequenceEqual("schema_version"u8) => Field.SchemaVersion,
        15 when name.SequenceEqual("idempotency_key"u8) => Field.IdempotencyKey,
        _ => Field.Unknown,
    };

    /// <summary>Reads one property of the envelope (the reader is on its name) into <paramref name="fields"/>.</summary>
    private static void ReadField(ref Utf8JsonReader reader, ref Fields fields)
    {
        // A name written with escapes (\u0068ost) is the same name: compare it unescaped.
        var field = reader.ValueIsEscaped ? FieldOf(Encoding.UTF8.GetBytes(reader.GetString()!)) : FieldOf(reader.ValueSpan);
        reader.Read();
        switch (field)
        {
            case Field.SchemaVersion:
                fields.SchemaVersion = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var version) ? version : -1;
                break;
            case Field.EventType:
                fields.EventType = ReadEventType(ref reader);
                break;
            case Field.EventId:
                fields.EventId = Text(ref reader, "event_id");
                if (fields.EventId is not null)
                {
                    fields.EventGuid = reader.TryGetGuid(out var guid) ? guid : throw new SchemaViolation("wrong_type", $"event_id '{reader.GetString()}' is not a UUID.");
                }

                break;
            case Field.IdempotencyKey:
                fields.IdempotencyKey = Text(ref reader, "idempotency_key");
                break;
            case Field.Sender:
                fields.Sender = Text(ref reader, "sender");
                break;
            case Field.ReceivedAt:
                fields.ReceivedAt = Timestamp(ref reader, "received_at");
                break;
            case Field.ClientTime:
                fields.ClientTime = Timestamp(ref reader, "client_time");
                break;
            case Field.UserId:
                fields.UserId = Text(ref reader, "user_id");
                break;
            case Field.Source:
                fields.Source = Text(ref reader, "source");
                break;
            case Field.Host:
                fields.Host = Text(ref reader, "host");
                break;
            case Field.UserAgent:
                fields.UserAgent = Text(ref reader, "user_agent");
                break;
            case Field.Accept:
                fields.Accept = Text(ref reader, "accept");
                break;
            case Field.Headers:
                fields.Headers = JsonObject(ref reader, "headers");
                break;
            case Field.Properties:
                fields.Properties = JsonObject(ref reader, "properties");
                break;
            default:
                // Unknown fields are allowed (newer producers): read past them, which also checks their syntax.
                reader.Skip();
                break;
        }
    }

    /// <summary>The known event types as their constants (no string allocated); anything else as read.</summary>
    private static string? ReadEventType(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String when reader.ValueTextEquals("purchase_sword"u8) => GameEventTypes.PurchaseSword,
        JsonTokenType.String when reader.ValueTextEquals("join_guild"u8) => GameEventTypes.JoinGuild,
        JsonTokenType.String when reader.ValueTextEquals("default"u8) => GameEventTypes.Default,
        JsonTokenType.String => reader.GetString(),
        _ => throw new SchemaViolation("wrong_type", $"event_type must be a string, not {reader.TokenType}."),
    };

    private static Slice? Text(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String when !reader.ValueIsEscaped => new Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, null),
        JsonTokenType.String => new Slice(0, 0, reader.GetString()),
        _ => throw new SchemaViolation("wrong_type", $"{name} must be a string, not {reader.TokenType}."),
    };

    private static Slice? JsonObject(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new SchemaViolation("wrong_type", $"{name} must be a JSON object, not {reader.TokenType}.");
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new Slice(start, (int)reader.BytesConsumed - start, null);
    }

    private static DateTime? Timestamp(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new SchemaViolation("wrong_type", $"{name} must be an ISO 8601 timestamp string, not {reader.TokenType}.");
        }

        // The reader's own ISO 8601 parser first: no intermediate string, no culture lookups.
        if (reader.TryGetDateTimeOffset(out var timestamp)
            || DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp))
        {
            return timestamp.UtcDateTime;
        }

        throw new SchemaViolation("wrong_type", $"{name} '{reader.GetString()}' is not an ISO 8601 timestamp.");
    }

    private static string Required(string? value, string name) => value ?? throw new SchemaViolation("missing_field", $"{name} is required.");

    private static Slice Required(Slice? value, string name) => value ?? throw new SchemaViolation("missing_field", $"{name} is required.");

    /// <summary>The payload as added to the raw event column: its UTF-8, where its characters are, and whether it is ASCII.</summary>
    private readonly ref struct RawText(ReadOnlySpan<byte> utf8, TextRef chars, bool ascii)
    {
        public ReadOnlySpan<byte> Utf8 { get; } = utf8;

        public TextRef Chars { get; } = chars;

        public bool Ascii { get; } = ascii;
    }

    private static void Add(StringColumn column, RawText payload, Slice? value)
    {
        if (value is not { } slice)
        {
            column.AddNull();
        }
        else if (slice.Unescaped is not null)
        {
            column.Add(slice.Unescaped);
        }
        else if (payload.Ascii)
        {
            // One character per byte: the field's characters are at its byte offsets in the raw event's.
            column.AddPart(payload.Chars, slice.Start, slice.Length);
        }
        else
        {
            column.Add(payload.Utf8.Slice(slice.Start, slice.Length));
        }
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
