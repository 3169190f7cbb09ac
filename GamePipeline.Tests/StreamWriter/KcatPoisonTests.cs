using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;

namespace GamePipeline.Tests.StreamWriter;

// One partition, so "around" means around in offset order.
public sealed class KcatPoisonTests() : KafkaAndLake(partitions: 1)
{
    [Fact]
    public async Task Poison_messages_produced_with_kcat_land_in_bad_events_and_the_good_events_around_them_are_intact()
    {
        var before = await TestEvents.ProduceAsync(Kafka.BootstrapServers, 30, "before");
        var valid = System.Text.Json.JsonSerializer.Serialize(TestEvents.Create(0), ContractsJsonContext.Default.GameEventEnvelope);
        var poison = string.Join('\n',
            "this is not json",
            "[1,2,3]",
            valid.Replace("\"event_type\":\"default\"", "\"event_type\":\"slay_dragon\""),
            valid.Replace("\"schema_version\":1,", ""),
            valid.Replace("\"user_id\":", "\"user\":"),
            valid.Replace("\"received_at\":\"", "\"received_at\":12,\"ignored\":\""),
            valid.Replace("\"schema_version\":1", "\"schema_version\":99"),
            valid.Replace("\"accept\":\"*/*\"", $"\"accept\":\"{new string('x', 5000)}\""));
        var kcat = await ExternalProcess.RunAsync("kcat", ["-b", Kafka.BootstrapServers, "-t", Topics.Events, "-P", "-k", "poison"], TimeSpan.FromSeconds(30), poison + "\n");
        Assert.True(kcat.ExitCode == 0, kcat.StandardError);
        var after = await TestEvents.ProduceAsync(Kafka.BootstrapServers, 30, "after");

        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "poison");
        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => lake.CountAllEvents() == 60 && lake.Count("bad_events") == 10, TimeSpan.FromSeconds(30),
            () => $"{lake.CountAllEvents()} events and {lake.Count("bad_events")} bad events");

        Assert.Equal([.. before, .. after], lake.EventIds().Order());
        var bad = lake.Rows($"SELECT reason, raw_event, kafka_key, kafka_offset, octet_length(raw_payload) FROM {lake.Source("bad_events")} ORDER BY kafka_offset, raw_event");
        // "[1,2,3]" is a batch of three events, none of them an object.
        Assert.Equal(["not_json", "wrong_type", "wrong_type", "wrong_type", "unknown_event_type", "missing_field", "missing_field", "wrong_type", "unsupported_schema_version", "oversize"], bad.Select(r => (string)r[0]!));
        Assert.Equal("this is not json", bad[0][1]);
        Assert.Equal(["1", "2", "3"], bad[1..4].Select(r => (string)r[1]!));
        Assert.All(bad, r => Assert.Equal("poison", r[2]));
        Assert.Equal(new long[] { 30, 31, 31, 31, 32, 33, 34, 35, 36, 37 }, bad.Select(r => (long)r[3]!));
        Assert.Equal(valid.Length - "\"*/*\"".Length + 5002, Convert.ToInt64(bad[9][4], System.Globalization.CultureInfo.InvariantCulture));
    }
}
