using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;

namespace GamePipeline.Tests.StreamWriter;

// One partition, so offsets order the rows.
public sealed class BadEventsAndSchemaTests() : KafkaAndLake(partitions: 1)
{
    [Fact]
    public async Task A_batch_record_becomes_one_row_per_event_and_a_bad_event_in_it_is_kept_apart_without_losing_the_others()
    {
        string Json(GameEventEnvelope envelope) => System.Text.Json.JsonSerializer.Serialize(envelope, ContractsJsonContext.Default.GameEventEnvelope);
        var good = Enumerable.Range(0, 4).Select(i => TestEvents.Create(i, "batcher")).ToList();
        var noUser = Json(TestEvents.Create(9, "batcher")).Replace("\"user_id\":", "\"user\":");
        var records = new[]
        {
            $"[{Json(good[0])},{Json(good[1])},{Json(good[2])}]",
            $"[{Json(good[3])},{noUser}]",
            $"[{Json(good[0])},",
            "[]",
        };
        using (var producer = TestEvents.Producer(Kafka.BootstrapServers))
        {
            foreach (var record in records)
            {
                await producer.ProduceAsync(Topics.Events, new() { Key = "batcher", Value = System.Text.Encoding.UTF8.GetBytes(record) });
            }
        }

        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "batches");
        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => lake.CountAllEvents() == 4 && lake.Count("bad_events") == 3, TimeSpan.FromSeconds(30),
            () => $"{lake.CountAllEvents()} events and {lake.Count("bad_events")} bad events");

        var rows = LakeTables.All.Where(t => t.EventType is not null && lake.HasFiles(t.Name))
            .SelectMany(t => lake.Rows($"SELECT event_id, kafka_offset, raw_event FROM {lake.Source(t.Name)}"))
            .OrderBy(r => (long)r[1]!).ThenBy(r => good.FindIndex(g => g.EventId.ToString() == (string)r[0]!)).ToList();
        Assert.Equal(good.Select(g => g.EventId.ToString()), rows.Select(r => (string)r[0]!));
        Assert.Equal(new long[] { 0, 0, 0, 1 }, rows.Select(r => (long)r[1]!));
        Assert.Equal(good.Select(Json), rows.Select(r => (string)r[2]!));
        var bad = lake.Rows($"SELECT reason, raw_event, kafka_offset FROM {lake.Source("bad_events")} ORDER BY kafka_offset");
        Assert.Equal(["missing_field", "not_json", "empty_batch"], bad.Select(r => (string)r[0]!));
        Assert.Equal([noUser, records[2], records[3]], bad.Select(r => (string)r[1]!));
        Assert.Equal(new long[] { 1, 2, 3 }, bad.Select(r => (long)r[2]!));
    }

    [Fact]
    public async Task Files_are_readable_by_duckdb_with_the_documented_schema_and_routed_to_their_own_tables()
    {
        var ids = await TestEvents.ProduceAsync(Kafka.BootstrapServers, 30, "schema");
        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "schema");
        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => lake.CountAllEvents() == 30, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of 30");

        foreach (var table in new[] { LakeTables.SwordPurchases, LakeTables.JoinGuilds, LakeTables.DefaultEvents })
        {
            var columns = lake.Rows($"DESCRIBE SELECT * FROM {lake.Source(table.Name)}").Select(r => ((string)r[0]!, (string)r[1]!)).ToList();
            var expected = table.Columns.Select(c => (c.Name, DuckDbType(c.Type))).Append((LakeTables.PartitionColumn, "DATE")).ToList();
            Assert.Equal(expected, columns);
            Assert.Equal(10, lake.Count(table.Name));
            Assert.Equal(table.EventType, lake.Scalar<string>($"SELECT string_agg(DISTINCT event_type) FROM {lake.Source(table.Name)}"));
        }

        // Readers prune by the files' statistics: a time filter must still find the rows.
        Assert.Equal(10, lake.Scalar<long>($"SELECT COUNT(*) FROM {lake.Source("sword_purchases")} WHERE event_time >= now() - INTERVAL 1 HOUR AND kafka_timestamp <= now()"));
        var row = lake.Rows($"SELECT host, user_agent, accept, headers, kafka_partition, event_time <= now(), written_at >= event_time, dt = CAST(event_time AS DATE) FROM {lake.Source("sword_purchases")} LIMIT 1").Single();
        Assert.Equal("schema", row[0]);
        Assert.Equal("ApacheBench/2.3", row[1]);
        Assert.Equal("*/*", row[2]);
        Assert.Contains("\"User-Agent\":\"ApacheBench/2.3\"", (string)row[3]!);
        Assert.Equal(0, row[4]);
        Assert.Equal([true, true, true], row[5..].Cast<bool>());
        // Every data file on disk is one the table's log adds: nothing half-written beside them.
        Assert.Equal(
            lake.Snapshot("sword_purchases")!.Files.Select(f => f.Path).Order(),
            Directory.EnumerateFiles(Path.Combine(Lake, "sword_purchases"), "*.parquet", SearchOption.AllDirectories)
                .Where(f => !f.Contains("_delta_log")).Select(f => Path.GetRelativePath(Path.Combine(Lake, "sword_purchases"), f)).Order());
    }

    [Fact]
    public async Task Text_values_are_kept_exactly_whether_plain_escaped_non_ascii_long_repeated_or_missing()
    {
        // Lengths from a few bytes to nearly the test writer's 4 KiB event limit, over more than a megabyte of text,
        // so values fill the writer's text chunks (1 KiB growing to 64 KiB) to every boundary; every other event's
        // user agent is escaped JSON, the rest raw UTF-8. Hosts repeat (a dictionary-encoded column) with gaps.
        using var producer = TestEvents.Producer(Kafka.BootstrapServers);
        var expected = new List<(string Id, string UserAgent, string Raw)>();
        for (var i = 0; i < 600; i++)
        {
            var userAgent = $"Gamé 🐉 \"client\" {i} " + new string((char)('a' + i % 26), i * 37 % 1_700);
            var envelope = TestEvents.Create(GameEventTypes.JoinGuild, $"host{i % 3}", DateTimeOffset.UtcNow, userAgent) with { Host = Host(i) };
            var json = i % 2 == 0
                ? System.Text.Json.JsonSerializer.Serialize(envelope, ContractsJsonContext.Default.GameEventEnvelope)
                : System.Text.Json.JsonSerializer.Serialize(envelope, new System.Text.Json.JsonSerializerOptions(ContractsJsonContext.Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            expected.Add((envelope.EventId.ToString(), userAgent, json));
            await producer.ProduceAsync(Topics.Events, new() { Key = envelope.UserId, Value = System.Text.Encoding.UTF8.GetBytes(json) });
        }

        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "text");
        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => lake.Count("join_guilds") == 600, TimeSpan.FromSeconds(30), () => $"{lake.Count("join_guilds")} of 600, {lake.Count("bad_events")} bad");

        var rows = lake.Rows($"SELECT event_id, user_agent, raw_event, host FROM {lake.Source("join_guilds")} ORDER BY kafka_offset");
        Assert.Equal(expected.Select(e => e.Id), rows.Select(r => (string)r[0]!));
        Assert.Equal(expected.Select(e => e.UserAgent), rows.Select(r => (string)r[1]!));
        Assert.Equal(expected.Select(e => e.Raw), rows.Select(r => (string)r[2]!));
        Assert.Equal(Enumerable.Range(0, 600).Select(Host), rows.Select(r => (string?)r[3]));
        Assert.Equal(0, lake.Count("bad_events"));

        // A column of few distinct values is stored as a dictionary; one of distinct values is not.
        var files = $"'{Path.Combine(Lake, "join_guilds")}/**/*.parquet'";
        string Encodings(string column) => lake.Scalar<string>($"SELECT string_agg(DISTINCT encodings) FROM parquet_metadata({files}) WHERE path_in_schema = '{column}'");
        Assert.Contains("DICTIONARY", Encodings("host"));
        Assert.DoesNotContain("DICTIONARY", Encodings("user_agent"));

        static string? Host(int i) => i % 5 == 4 ? null : $"host{i % 3}";
    }

    private static string DuckDbType(LakeColumnType type) => type switch
    {
        LakeColumnType.String => "VARCHAR",
        LakeColumnType.Timestamp => "TIMESTAMP WITH TIME ZONE",
        LakeColumnType.Int32 => "INTEGER",
        LakeColumnType.Int64 => "BIGINT",
        LakeColumnType.Binary => "BLOB",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
