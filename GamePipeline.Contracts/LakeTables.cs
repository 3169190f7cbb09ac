namespace GamePipeline.Contracts;

public enum LakeColumnType
{
    String,
    Timestamp,
    Int32,
    Int64,
    Binary,
}

/// <param name="FewDistinctValues">The same few values over and over (a header, a type): stored dictionary-encoded.</param>
/// <param name="Stats">
/// A text column whose minimum and maximum each data file records in the table's log, so that engines skip files by
/// it (numbers and times always have them).
/// </param>
/// <param name="AddedLater">
/// Added to tables that already had data files: files written before lack it, and read it as null. Such a column is
/// nullable and records statistics, so a file that has it says so in its <c>add</c>'s null counts.
/// </param>
public sealed record LakeColumn(string Name, LakeColumnType Type, bool Nullable, string Description, bool FewDistinctValues = false, bool Stats = false, bool AddedLater = false);

/// <summary>One table of the lake: Parquet files under <c>{name}/dt=YYYY-MM-DD/</c>.</summary>
public sealed record LakeTable(string Name, string? EventType, IReadOnlyList<LakeColumn> Columns, string Description);

/// <summary>The lake's tables (their names are contracts) and their typed, lower snake_case columns.</summary>
public static class LakeTables
{
    /// <summary>The Hive-style partition column (folder <c>dt=YYYY-MM-DD</c>, UTC date of the event time).</summary>
    public const string PartitionColumn = "dt";

    public static readonly IReadOnlyList<LakeColumn> EventColumns =
    [
        new("event_id", LakeColumnType.String, false, "Unique event id (UUID)"),
        new("event_type", LakeColumnType.String, false, "default, purchase_sword or join_guild", FewDistinctValues: true, Stats: true),
        new("event_time", LakeColumnType.Timestamp, false, "When GameApi received the event (UTC)"),
        new("client_time", LakeColumnType.Timestamp, true, "When the client says it happened (batch only)"),
        new("user_id", LakeColumnType.String, false, "Who the event is about (batch user_id, X-User-Id, else Host)", FewDistinctValues: true, Stats: true),
        new("source", LakeColumnType.String, false, "route or batch", FewDistinctValues: true, Stats: true),
        new("host", LakeColumnType.String, true, "Host header", FewDistinctValues: true, Stats: true),
        new("user_agent", LakeColumnType.String, true, "User-Agent header", FewDistinctValues: true),
        new("accept", LakeColumnType.String, true, "Accept header", FewDistinctValues: true),
        new("headers", LakeColumnType.String, false, "All request headers but credentials (JSON object)", FewDistinctValues: true),
        new("properties", LakeColumnType.String, true, "Client properties (JSON object; batch only)"),
        new("raw_event", LakeColumnType.String, false, "The Kafka message as received (JSON)"),
        new("kafka_partition", LakeColumnType.Int32, false, "Kafka partition the event came from"),
        new("kafka_offset", LakeColumnType.Int64, false, "Kafka offset the event came from"),
        new("kafka_timestamp", LakeColumnType.Timestamp, false, "Kafka message timestamp (UTC)"),
        new("trace_id", LakeColumnType.String, true, "W3C trace id of the producing request"),
        new("written_at", LakeColumnType.Timestamp, false, "When StreamWriter committed the row (UTC)"),
        new("sender", LakeColumnType.String, true, "The source whose write key sent the event (null: keys were optional and none was sent)", FewDistinctValues: true, Stats: true, AddedLater: true),
    ];

    public static readonly IReadOnlyList<LakeColumn> BadEventColumns =
    [
        new("reason", LakeColumnType.String, false, "Why the record was refused: not_json, missing_field, wrong_type, unknown_event_type, unsupported_schema_version, oversize, unreadable", FewDistinctValues: true, Stats: true),
        new("error", LakeColumnType.String, false, "The detailed problem"),
        new("raw_event", LakeColumnType.String, false, "The payload as text (invalid UTF-8 replaced)"),
        new("raw_payload", LakeColumnType.Binary, false, "The payload's exact bytes, for replay"),
        new("kafka_key", LakeColumnType.String, true, "The message key (GameApi's: the user id)", Stats: true),
        new("kafka_partition", LakeColumnType.Int32, false, "Kafka partition the record came from"),
        new("kafka_offset", LakeColumnType.Int64, false, "Kafka offset the record came from"),
        new("kafka_timestamp", LakeColumnType.Timestamp, false, "Kafka message timestamp (UTC)"),
        new("trace_id", LakeColumnType.String, true, "W3C trace id of the producing request, if any"),
        new("written_at", LakeColumnType.Timestamp, false, "When StreamWriter committed the row (UTC)"),
    ];

    /// <summary>
    /// A duplicate keeps every column of the event it repeats (<see cref="EventColumns"/> first, at the same places),
    /// then its key and where the copy the lake holds came from.
    /// </summary>
    public static readonly IReadOnlyList<LakeColumn> DuplicateEventColumns =
    [
        .. EventColumns,
        new("idempotency_key", LakeColumnType.String, false, "The key the client sent: an Idempotency-Key header or the event's own event_id"),
        new("original_kafka_offset", LakeColumnType.Int64, false, "Kafka offset (same partition) of the event this one repeats, whose copy the lake holds"),
        new("original_event_time", LakeColumnType.Timestamp, false, "When GameApi received the event this one repeats (UTC)"),
    ];

    public static readonly IReadOnlyList<LakeColumn> IdempotencyKeyColumns =
    [
        new("user_id", LakeColumnType.String, false, "The event's user: keys are per user", FewDistinctValues: true, Stats: true),
        new("event_id", LakeColumnType.String, false, "The event's id (UUID): the client's event_id, or one derived from its Idempotency-Key (the key itself is in the event's raw_event)"),
        new("event_type", LakeColumnType.String, false, "Which table holds the event", FewDistinctValues: true, Stats: true),
        new("event_time", LakeColumnType.Timestamp, false, "When GameApi received the event (UTC); the dedup window is measured on it"),
        new("kafka_partition", LakeColumnType.Int32, false, "Kafka partition the event came from"),
        new("kafka_epoch", LakeColumnType.Int32, false, "Which life of the Kafka partition the offset belongs to (a Kafka that restarted empty starts a new one)"),
        new("kafka_offset", LakeColumnType.Int64, false, "Kafka offset the event came from"),
        new("written_at", LakeColumnType.Timestamp, false, "When StreamWriter committed the row (UTC)"),
    ];

    /// <summary>The audit trail of erasures (a player's right to be forgotten), and the writers' suppression list.</summary>
    public static readonly IReadOnlyList<LakeColumn> ErasureColumns =
    [
        new("erasure_id", LakeColumnType.String, false, "The request's id (UUID)"),
        new("user_hash", LakeColumnType.String, false, "sha256: and the hex SHA-256 of the erased user id (the id itself is kept nowhere)", Stats: true),
        new("state", LakeColumnType.String, false, "requested (the user's events are dropped from then on), completed, or failed", FewDistinctValues: true, Stats: true),
        new("recorded_at", LakeColumnType.Timestamp, false, "When the request reached this state (UTC)"),
        new("requested_by", LakeColumnType.String, false, "The reader key (its name) that asked for the erasure", FewDistinctValues: true),
        new("rows_removed", LakeColumnType.Int64, false, "Rows of the user removed from the lake's tables by then"),
        new("files_rewritten", LakeColumnType.Int64, false, "Data files rewritten without the user's rows by then"),
        new("detail", LakeColumnType.String, true, "Per table, what was removed; or why the erasure failed"),
    ];

    public static readonly LakeTable SwordPurchases = new("sword_purchases", GameEventTypes.PurchaseSword, EventColumns, "Swords purchased (GET /purchase_a_sword)");
    public static readonly LakeTable JoinGuilds = new("join_guilds", GameEventTypes.JoinGuild, EventColumns, "Guilds joined (GET /join_the_guild)");
    public static readonly LakeTable DefaultEvents = new("default_events", GameEventTypes.Default, EventColumns, "Default events (GET /)");
    public static readonly LakeTable BadEvents = new("bad_events", null, BadEventColumns, "Records that failed the event schema, with the reason and the raw payload");

    public static readonly LakeTable DuplicateEvents = new("duplicate_events", null, DuplicateEventColumns, "Events sent again with an idempotency key the lake already holds within the dedup window: counted and kept here, not in their event table");
    public static readonly LakeTable IdempotencyKeys = new("idempotency_keys", null, IdempotencyKeyColumns, "The key of every event written to an event table with one: what the writers deduplicate against");

    public static readonly LakeTable Erasures = new("erasures", null, ErasureColumns, "Erasures of players (right to be forgotten): each request and its outcome, by the user id's SHA-256");

    /// <summary>The tables StreamWriter writes, each in every one of its commit rounds (first in <see cref="All"/>, at the same places).</summary>
    public static readonly IReadOnlyList<LakeTable> Streamed = [SwordPurchases, JoinGuilds, DefaultEvents, BadEvents, DuplicateEvents, IdempotencyKeys];

    public static readonly IReadOnlyList<LakeTable> All = [.. Streamed, Erasures];

    public static LakeTable? ForEventType(string eventType) => eventType switch
    {
        GameEventTypes.PurchaseSword => SwordPurchases,
        GameEventTypes.JoinGuild => JoinGuilds,
        GameEventTypes.Default => DefaultEvents,
        _ => null,
    };

    /// <summary>The table's place in <see cref="All"/> (arrays indexed by table use it).</summary>
    public static int IndexOf(LakeTable table)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (ReferenceEquals(All[i], table))
            {
                return i;
            }
        }

        throw new ArgumentException($"{table.Name} is not a lake table", nameof(table));
    }

    public static LakeTable? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
