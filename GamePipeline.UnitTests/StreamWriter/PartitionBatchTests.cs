using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using GamePipeline.Contracts;
using StreamWriter.Writing;

namespace GamePipeline.Tests.StreamWriter;

public sealed class PartitionBatchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("partition-batch-").FullName;
    private readonly LakeQuery _duckDb;

    public PartitionBatchTests() => _duckDb = new LakeQuery(_directory);

    public void Dispose()
    {
        _duckDb.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private const int Partition = 3;
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Fact]
    public async Task Held_records_become_rows_only_at_commit_with_nulls_kept_and_a_retried_commit_builds_each_row_once()
    {
        var batch = new PartitionBatch(Partition, epoch: 0, nextOffset: 10);
        var sword = Event(GameEventTypes.PurchaseSword);
        batch.Add(Record(10, key: "user1", Serialize(sword), TraceParent));
        batch.Add(Record(11, key: "k11", "not json"u8.ToArray(), traceParent: null));
        batch.Add(Record(12, key: null, Serialize(Event(GameEventTypes.JoinGuild)), traceParent: null));

        // Nothing is parsed while the consumer's thread holds the records.
        Assert.Empty(batch.Tables);
        Assert.Equal((10, 12, 3, 13), (batch.FirstOffset, batch.LastOffset, batch.Records, batch.NextOffset));

        Assert.Equal(["not_json"], Parse(batch)!.BadReasons);
        Assert.Null(Parse(batch));
        Assert.Equal(
            new Dictionary<string, int> { ["sword_purchases"] = 1, ["join_guilds"] = 1, ["bad_events"] = 1 },
            batch.Tables.ToDictionary(t => t.Table.Name, t => t.Rows));

        Assert.Equal(
            [sword.EventId.ToString(), 10L, Partition, "4bf92f3577b34da6a3ce929d0e0e4736", Encoding.UTF8.GetString(Serialize(sword))],
            Assert.Single(await Rows(batch, LakeTables.SwordPurchases, "event_id, kafka_offset, kafka_partition, trace_id, raw_event")));
        Assert.Equal(
            ["not_json", "not json", "k11", 11L, null],
            Assert.Single(await Rows(batch, LakeTables.BadEvents, "reason, raw_event, kafka_key, kafka_offset, trace_id")));
        // Absent values are NULL, not empty text: no trace context, no client time, no properties (a route event).
        Assert.Equal([12L, null, null, null], Assert.Single(await Rows(batch, LakeTables.JoinGuilds, "kafka_offset, trace_id, client_time, properties")));

        batch.Clear();
        Assert.True(batch.IsEmpty);
        Assert.Empty(batch.Tables);
    }

    [Fact]
    public void An_oversize_record_is_held_whole_and_becomes_a_bad_event_at_commit()
    {
        var batch = new PartitionBatch(Partition, epoch: 0, nextOffset: 0);
        var payload = Serialize(Event(GameEventTypes.Default) with { UserAgent = new string('x', 5_000) });
        batch.Add(Record(0, key: null, payload, traceParent: null));

        Assert.Equal(payload.Length, batch.Bytes);
        Assert.Equal(["oversize"], Parse(batch)!.BadReasons);
        Assert.Equal("bad_events", Assert.Single(batch.Tables).Table.Name);
    }

    [Fact]
    public async Task A_field_name_written_with_escapes_is_the_same_field_and_unknown_fields_are_skipped()
    {
        var batch = new PartitionBatch(Partition, epoch: 0, nextOffset: 0);
        var sword = Event(GameEventTypes.PurchaseSword);
        var json = Encoding.UTF8.GetString(Serialize(sword));
        Assert.Contains("\"host\":", json);
        var escaped = json.Replace("\"host\":", "\"newer_field\":{\"a\":[1,{\"b\":null}]},\"\\u0068ost\":");
        batch.Add(Record(0, key: null, Encoding.UTF8.GetBytes(escaped), traceParent: null));

        Assert.Empty(Parse(batch)!.BadReasons);
        Assert.Equal(
            [sword.EventId.ToString(), sword.Host, sword.UserAgent],
            Assert.Single(await Rows(batch, LakeTables.SwordPurchases, "event_id, host, user_agent")));
    }

    [Fact]
    public async Task Text_columns_of_ascii_and_non_ascii_events_in_one_batch_read_back_as_their_payloads_say()
    {
        // An ASCII payload's fields are stored as parts of its raw event's characters, any other's decoded on their
        // own: rows of both kinds, interleaved in one file, must each keep their own text.
        var batch = new PartitionBatch(Partition, epoch: 0, nextOffset: 0);
        var events = Enumerable.Range(0, 6).Select(_ => Event(GameEventTypes.Default)).ToList();
        var payloads = events.Select((e, i) =>
        {
            var json = Encoding.UTF8.GetString(Serialize(e));
            return i % 2 == 0 ? json : json.Replace("ApacheBench/2.3", $"Gamé 🐉/{i}").Replace("user1.example.com", $"bücher{i}.example");
        }).ToList();
        for (var i = 0; i < payloads.Count; i++)
        {
            batch.Add(Record(i, key: null, Encoding.UTF8.GetBytes(payloads[i]), traceParent: null));
        }

        Assert.Empty(Parse(batch)!.BadReasons);
        var rows = await Rows(batch, LakeTables.DefaultEvents, "event_id, user_id, host, user_agent, headers, raw_event");
        Assert.Equal(payloads.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            using var payload = JsonDocument.Parse(payloads[i]);
            var field = (string name) => payload.RootElement.GetProperty(name);
            Assert.Equal(
                [field("event_id").GetString(), field("user_id").GetString(), field("host").GetString(), field("user_agent").GetString(), field("headers").GetRawText(), payloads[i]],
                rows[i]);
        }

        Assert.Equal("Gamé 🐉/1", rows[1][3]);
        Assert.Equal("ApacheBench/2.3", rows[2][3]);
    }

    [Fact]
    public async Task An_event_whose_key_the_window_holds_becomes_a_duplicate_row_and_a_new_key_is_written_beside_its_event()
    {
        var keys = new KeyWindow(TimeSpan.FromHours(24));
        var first = new PartitionBatch(Partition, epoch: 2, nextOffset: 0);
        var keyed = Event(GameEventTypes.PurchaseSword) with { IdempotencyKey = "retry-me" };
        var unkeyed = Event(GameEventTypes.PurchaseSword);
        first.Add(Record(0, key: "user1", Serialize(keyed), traceParent: null));
        first.Add(Record(1, key: "user1", Serialize(unkeyed), traceParent: null));
        Assert.Empty(Parse(first, keys)!.DuplicatesOf);
        Assert.Equal(["user1.example.com", keyed.EventId.ToString(), "purchase_sword", Partition, 2, 0L],
            Assert.Single(await Rows(first, LakeTables.IdempotencyKeys, "user_id, event_id, event_type, kafka_partition, kafka_epoch, kafka_offset")));
        Assert.Equal(2, first.Tables.Single(t => t.Table == LakeTables.SwordPurchases).Rows);

        // The same keyed event again (a retry, an hour later), in a record that also repeats it itself, and the
        // unkeyed event again: only the keyed copies are duplicates.
        var second = new PartitionBatch(Partition, epoch: 2, nextOffset: 2);
        var retried = keyed with { ReceivedAt = keyed.ReceivedAt.AddHours(1) };
        second.Add(Record(2, key: "user1", Encoding.UTF8.GetBytes($"[{Encoding.UTF8.GetString(Serialize(retried))},{Encoding.UTF8.GetString(Serialize(retried))}]"), traceParent: null));
        second.Add(Record(3, key: "user1", Serialize(unkeyed), traceParent: null));
        Assert.Equal(["sword_purchases", "sword_purchases"], Parse(second, keys)!.DuplicatesOf);
        Assert.Equal(1, second.Tables.Single(t => t.Table == LakeTables.SwordPurchases).Rows);
        Assert.DoesNotContain(second.Tables, t => t.Table == LakeTables.IdempotencyKeys);
        var duplicates = await Rows(second, LakeTables.DuplicateEvents, "event_id, idempotency_key, kafka_offset, original_kafka_offset, original_event_time");
        Assert.Equal(2, duplicates.Count);
        Assert.All(duplicates, row => Assert.Equal([keyed.EventId.ToString(), "retry-me", 2L, 0L, keyed.ReceivedAt.UtcDateTime], row));
    }

    [Fact]
    public void A_key_sent_again_after_the_window_is_a_new_event()
    {
        var keys = new KeyWindow(TimeSpan.FromHours(24));
        var keyed = Event(GameEventTypes.JoinGuild) with { IdempotencyKey = "k" };
        var batch = new PartitionBatch(Partition, epoch: 0, nextOffset: 0);
        batch.Add(Record(0, key: "user1", Serialize(keyed), traceParent: null));
        batch.Add(Record(1, key: "user1", Serialize(keyed with { ReceivedAt = keyed.ReceivedAt.AddHours(24) }), traceParent: null));
        batch.Add(Record(2, key: "user1", Serialize(keyed with { ReceivedAt = keyed.ReceivedAt.AddHours(24).AddMilliseconds(1) }), traceParent: null));

        // At the window's edge still a duplicate; a millisecond past it, new.
        Assert.Equal(["join_guilds"], Parse(batch, keys)!.DuplicatesOf);
        Assert.Equal(2, batch.Tables.Where(t => t.Table == LakeTables.JoinGuilds).Sum(t => t.Rows));
        Assert.Equal(2, batch.Tables.Where(t => t.Table == LakeTables.IdempotencyKeys).Sum(t => t.Rows));
    }

    // No user is erased: the list is never read from the lake.
    private static readonly ErasedUsers NoneErased = new(new GamePipeline.Lake.LocalLakeStorage(Path.GetTempPath()));

    private static ParseTarget? Parse(PartitionBatch batch, KeyWindow? keys = null) =>
        batch.Materialize(maxEventBytes: 4096, skipThrough: null, keys ?? new KeyWindow(TimeSpan.FromHours(24)), NoneErased);

    private static GameEventEnvelope Event(string eventType) => new()
    {
        EventId = Guid.CreateVersion7(),
        EventType = eventType,
        ReceivedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        UserId = "user1.example.com",
        Source = EventSources.Route,
        Host = "user1.example.com",
        UserAgent = "ApacheBench/2.3",
        Accept = "*/*",
        Headers = new Dictionary<string, string> { ["Host"] = "user1.example.com" },
    };

    private static byte[] Serialize(GameEventEnvelope e) => JsonSerializer.SerializeToUtf8Bytes(e, ContractsJsonContext.Default.GameEventEnvelope);

    private static ConsumeResult<string?, ReadOnlyMemory<byte>> Record(long offset, string? key, byte[] value, string? traceParent)
    {
        var headers = new Headers();
        if (traceParent is not null)
        {
            headers.Add("traceparent", Encoding.UTF8.GetBytes(traceParent));
        }

        return new ConsumeResult<string?, ReadOnlyMemory<byte>>
        {
            TopicPartitionOffset = new TopicPartitionOffset(Topics.Events, Partition, offset),
            Message = new Message<string?, ReadOnlyMemory<byte>>
            {
                Key = key,
                Value = value,
                Timestamp = new Timestamp(new DateTime(2026, 11, 25, 12, 0, 1, DateTimeKind.Utc)),
                Headers = headers,
            },
        };
    }

    /// <summary>The table's batch written as a Parquet file and read back by DuckDB.</summary>
    private async Task<List<object?[]>> Rows(PartitionBatch batch, LakeTable table, string columns)
    {
        var path = Path.Combine(_directory, $"{table.Name}.parquet");
        await using (var file = File.Create(path))
        {
            await batch.Tables.Single(t => t.Table == table).WriteAsync(file, CancellationToken.None);
        }

        return _duckDb.Rows($"SELECT {columns} FROM read_parquet('{path}')");
    }
}
