using System.Net;
using System.Text;
using System.Text.Json;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>Retries through GameApi's real HTTP and the embedded Kafka, written by StreamWriters to a real lake.</summary>
public sealed class IdempotencyKeyTests : GameApiAndLake
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private string Kafka => Api.Kafka.BootstrapServers;

    /// <summary>A batch of one user's events, each with its own id: a purchase and a guild join.</summary>
    private static string Batch(string user, Guid sword, Guid guild) => $$$"""
        {"user_id":"{{{user}}}","events":[
          {"event_type":"purchase_sword","event_id":"{{{sword}}}","properties":{"price":120}},
          {"event_type":"join_guild","event_id":"{{{guild}}}"}]}
        """;

    private async Task<string> PostAsync(string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await Api.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    private static async Task UntilAsync(LakeQuery lake, string table, long rows) =>
        await Eventually.TrueAsync(() => lake.Count(table) >= rows, Patience, () => $"{table} holds {lake.Count(table)} rows, not {rows}");

    private static void AssertWrittenOnce(LakeQuery lake, string user, int duplicates)
    {
        Assert.Equal(1, lake.Count(LakeTables.SwordPurchases.Name));
        Assert.Equal(1, lake.Count(LakeTables.JoinGuilds.Name));
        Assert.Equal(2, lake.Count(LakeTables.IdempotencyKeys.Name));
        Assert.Equal(duplicates, lake.Count(LakeTables.DuplicateEvents.Name));
        Assert.Equal(
            [[(long)duplicates / 2, user, "purchase_sword"], [(long)duplicates / 2, user, "join_guild"]],
            lake.Rows($"SELECT COUNT(*), user_id, event_type FROM {lake.Source(LakeTables.DuplicateEvents.Name)} GROUP BY ALL ORDER BY event_type DESC"));
    }

    [Fact]
    public async Task The_same_batch_with_event_ids_sent_twice_is_in_the_lake_once_and_answered_the_same_while_events_without_keys_land_twice()
    {
        await using var writer = await WriterHost.StartAsync(Kafka, Lake, "only");
        var user = $"player-{Guid.NewGuid():N}";
        var batch = Batch(user, Guid.NewGuid(), Guid.NewGuid());
        var unkeyed = $$"""{"user_id":"{{user}}","events":[{"event_type":"default"}]}""";

        var first = await PostAsync(batch);
        await PostAsync(unkeyed);
        var second = await PostAsync(batch);
        await PostAsync(unkeyed);

        Assert.Equal(first, second);
        using var lake = new LakeQuery(Lake);
        await UntilAsync(lake, LakeTables.DuplicateEvents.Name, 2);
        await UntilAsync(lake, LakeTables.DefaultEvents.Name, 2);
        AssertWrittenOnce(lake, user, duplicates: 2);
        Assert.Equal(2, lake.Count(LakeTables.DefaultEvents.Name));

        // The duplicate points at the copy the lake holds.
        var copy = lake.Rows($"SELECT kafka_offset, event_time FROM {lake.Source(LakeTables.SwordPurchases.Name)}").Single();
        var duplicate = lake.Rows($"SELECT original_kafka_offset, original_event_time, kafka_offset > original_kafka_offset FROM {lake.Source(LakeTables.DuplicateEvents.Name)} WHERE event_type = 'purchase_sword'").Single();
        Assert.Equal([copy[0], copy[1], true], duplicate);
    }

    [Fact]
    public async Task A_writer_killed_with_SIGKILL_between_the_two_sends_leaves_a_successor_that_still_writes_the_batch_once()
    {
        var user = $"player-{Guid.NewGuid():N}";
        var batch = Batch(user, Guid.NewGuid(), Guid.NewGuid());
        using var lake = new LakeQuery(Lake);
        using (var killed = WriterProcess.Start(Kafka, Lake, "killed"))
        {
            await PostAsync(batch);
            await UntilAsync(lake, LakeTables.IdempotencyKeys.Name, 2);
            killed.Kill();
        }

        await PostAsync(batch);
        using var successor = WriterProcess.Start(Kafka, Lake, "successor", new Dictionary<string, string?> { ["Logging:LogLevel:StreamWriter"] = "Information" });
        await UntilAsync(lake, LakeTables.DuplicateEvents.Name, 2);
        AssertWrittenOnce(lake, user, duplicates: 2);
        Assert.Contains("with 2 idempotency keys of the window", successor.Output, StringComparison.Ordinal);
        await successor.StopAsync();
    }

    [Fact]
    public async Task A_retry_that_lands_on_another_writer_after_a_rebalance_is_written_once()
    {
        var user = $"player-{Guid.NewGuid():N}";
        var batch = Batch(user, Guid.NewGuid(), Guid.NewGuid());
        using var lake = new LakeQuery(Lake);
        var first = await WriterHost.StartAsync(Kafka, Lake, "first");
        await PostAsync(batch);
        await UntilAsync(lake, LakeTables.IdempotencyKeys.Name, 2);

        // A second writer joins (the group shares the partitions out again), then the first leaves: every partition,
        // the user's included, is the second's when the retry arrives.
        await using var second = await WriterHost.StartAsync(Kafka, Lake, "second");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await first.DisposeAsync();
        await PostAsync(batch);

        await UntilAsync(lake, LakeTables.DuplicateEvents.Name, 2);
        AssertWrittenOnce(lake, user, duplicates: 2);
        var duplicateCommits = Directory.EnumerateFiles(Path.Combine(Lake, LakeTables.DuplicateEvents.Name, "_delta_log"), "*.json")
            .Select(File.ReadAllText).Where(commit => commit.Contains("\"add\"", StringComparison.Ordinal)).ToList();
        Assert.Contains("\"writer\":\"second\"", Assert.Single(duplicateCommits), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_seed_route_with_a_repeated_Idempotency_Key_records_one_event_and_answers_the_same()
    {
        await using var writer = await WriterHost.StartAsync(Kafka, Lake, "only");
        var key = Guid.NewGuid().ToString();
        async Task<string> PurchaseAsync(string idempotencyKey)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/purchase_a_sword");
            request.Headers.Host = "user1.comcast.com";
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
            using var response = await Api.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        var answers = new[] { await PurchaseAsync(key), await PurchaseAsync($"\"{key}\""), await PurchaseAsync(key), await PurchaseAsync("another-key") };

        Assert.All(answers, answer => Assert.Equal("You Purchased a Sword!\n", answer));
        using var lake = new LakeQuery(Lake);
        await UntilAsync(lake, LakeTables.DuplicateEvents.Name, 2);
        await UntilAsync(lake, LakeTables.SwordPurchases.Name, 2);
        Assert.Equal(2, lake.Count(LakeTables.SwordPurchases.Name));
        Assert.Equal(
            [[key, 2L], ["another-key", 0L]],
            lake.Rows($"""
                SELECT json_extract_string(s.raw_event, '$.idempotency_key'), (SELECT COUNT(*) FROM {lake.Source(LakeTables.DuplicateEvents.Name)} d WHERE d.event_id = k.event_id)
                FROM {lake.Source(LakeTables.IdempotencyKeys.Name)} k JOIN {lake.Source(LakeTables.SwordPurchases.Name)} s USING (event_id) ORDER BY k.kafka_offset
                """));
    }

    [Fact]
    public async Task A_key_sent_again_after_the_window_is_a_new_event()
    {
        await using var writer = await WriterHost.StartAsync(Kafka, Lake, "only", new Dictionary<string, string?> { ["StreamWriter:IdempotencyWindow"] = "00:00:02" });
        var user = $"player-{Guid.NewGuid():N}";
        var batch = Batch(user, Guid.NewGuid(), Guid.NewGuid());
        using var lake = new LakeQuery(Lake);

        await PostAsync(batch);
        await UntilAsync(lake, LakeTables.IdempotencyKeys.Name, 2);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await PostAsync(batch);

        await UntilAsync(lake, LakeTables.IdempotencyKeys.Name, 4);
        Assert.Equal(2, lake.Count(LakeTables.SwordPurchases.Name));
        Assert.Equal(2, lake.Count(LakeTables.JoinGuilds.Name));
        Assert.Equal(0, lake.Count(LakeTables.DuplicateEvents.Name));
    }

    [Fact]
    public async Task A_batch_with_an_Idempotency_Key_gets_derived_event_ids_and_one_that_repeats_an_event_id_is_refused()
    {
        var user = $"player-{Guid.NewGuid():N}";
        var events = $$"""{"user_id":"{{user}}","events":[{"event_type":"default"},{"event_type":"join_guild"}]}""";

        var first = await PostAsync(events, idempotencyKey: "order-17");
        var again = await PostAsync(events, idempotencyKey: "order-17");
        var other = await PostAsync(events, idempotencyKey: "order-18");

        Assert.Equal(first, again);
        using var answer = JsonDocument.Parse(first);
        using var otherAnswer = JsonDocument.Parse(other);
        var ids = answer.RootElement.GetProperty("event_ids").EnumerateArray().Select(id => id.GetGuid()).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(5, id.Version));
        Assert.Empty(ids.Intersect(otherAnswer.RootElement.GetProperty("event_ids").EnumerateArray().Select(id => id.GetGuid())));
        Assert.All(Api.Events().Where(r => r.Key == user).SelectMany(r => r.Envelopes), e => Assert.StartsWith("order-1", e.IdempotencyKey, StringComparison.Ordinal));

        var repeated = Guid.NewGuid();
        using var refused = await Api.Client.PostAsync("/v1/events", new StringContent(
            $$"""{"user_id":"{{user}}","events":[{"event_type":"default","event_id":"{{repeated}}"},{"event_type":"default","event_id":"{{repeated}}"}]}""",
            Encoding.UTF8,
            "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("events[1].event_id", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var badKey = new HttpRequestMessage(HttpMethod.Get, "/");
        badKey.Headers.TryAddWithoutValidation("Idempotency-Key", "\"unterminated");
        using var badKeyAnswer = await Api.Client.SendAsync(badKey);
        Assert.Equal(HttpStatusCode.BadRequest, badKeyAnswer.StatusCode);
        Assert.Contains("Idempotency-Key", await badKeyAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
