using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AnalyticsApi.Queries;
using ErasureHashes = AnalyticsApi.Erasure.Erasures;
using Confluent.Kafka;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using LakeMaintenance;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace GamePipeline.Tests.Analytics;

/// <summary>
/// A player erased through AnalyticsApi, on a lake a StreamWriter keeps writing: rows in several tables and dates, in
/// compacted and uncompacted files, a key, a duplicate and a bad event of theirs.
/// </summary>
public sealed class ErasureTests() : KafkaAndLake(partitions: 2)
{
    private const string Victim = "victim.example";
    private static readonly string[] Others = ["alice.example", "bob.example"];
    private static readonly DateTimeOffset Yesterday = DateTimeOffset.UtcNow.AddDays(-1);

    private sealed class Api(string lake) : WebApplicationFactory<AnalyticsQueries>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:catalog", Path.Combine(lake, "_catalog", "test.duckdb"));
            builder.UseSetting("ConnectionStrings:lake", lake);
            builder.UseSetting("Erasure:SettleTime", "00:00:01.500");
            foreach (var (key, value) in TestKeys.ReaderKeySettings())
            {
                builder.UseSetting(key, value);
            }
        }
    }

    private static Message<string, byte[]> Event(string eventType, string user, DateTimeOffset at, string? idempotencyKey = null) =>
        TestEvents.Message(TestEvents.Create(eventType, user, at) with { IdempotencyKey = idempotencyKey, EventId = idempotencyKey is null ? Guid.CreateVersion7() : Guid.Parse(idempotencyKey) });

    private static Dictionary<string, long> CountsOf(LakeQuery lake, string user) => LakeTables.Streamed.ToDictionary(
        t => t.Name,
        t => lake.HasFiles(t.Name) ? lake.Scalar<long>($"SELECT COUNT(*) FROM {lake.Source(t.Name)} WHERE {(t == LakeTables.BadEvents ? "kafka_key" : "user_id")} = '{user}'") : 0);

    [Fact]
    public async Task Erasing_a_player_rewrites_every_file_holding_their_rows_keeps_them_out_afterwards_and_leaves_everyone_else()
    {
        var setup = await ServiceProcess.RunToCompletionAsync("CatalogSetup",
            new Dictionary<string, string> { ["ConnectionStrings__lake"] = Lake, ["ConnectionStrings__catalog"] = Path.Combine(Lake, "_catalog", "test.duckdb") }, TimeSpan.FromMinutes(1));
        Assert.True(setup.ExitCode == 0, setup.StandardOutput + setup.StandardError);
        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "erasure", new Dictionary<string, string?> { ["StreamWriter:ErasureRefreshInterval"] = "00:00:00.300" });
        using var producer = TestEvents.Producer(Kafka.BootstrapServers);
        using var lake = new LakeQuery(Lake);
        var key = Guid.NewGuid().ToString();

        // Round one, twice (two files per day), then compacted: the victim's rows of two days in compacted files.
        for (var round = 1; round <= 2; round++)
        {
            foreach (var user in Others.Append(Victim))
            {
                await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.PurchaseSword, user, Yesterday));
                await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.PurchaseSword, user, DateTimeOffset.UtcNow));
                await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.JoinGuild, user, DateTimeOffset.UtcNow));
            }

            await Eventually.TrueAsync(() => lake.CountAllEvents() == 9 * round, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of {9 * round}");
        }

        var maintenance = MaintenanceHosts.Create(Lake, new LakeMaintenanceOptions { QuietPeriod = TimeSpan.Zero });
        await maintenance.CompactAsync(LakeTables.SwordPurchases, CancellationToken.None);
        Assert.All(lake.Snapshot(LakeTables.SwordPurchases.Name)!.Files, file => Assert.Contains("part-compacted-", file.Path, StringComparison.Ordinal));

        // Round two, uncompacted: a keyed event and its retry (a key and a duplicate), a default event, a bad event keyed by the victim.
        await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.Default, Victim, DateTimeOffset.UtcNow, key));
        await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.Default, Victim, DateTimeOffset.UtcNow, key));
        await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.Default, Others[0], DateTimeOffset.UtcNow));
        await producer.ProduceAsync(Topics.Events, new Message<string, byte[]> { Key = Victim, Value = "not json"u8.ToArray() });
        await Eventually.TrueAsync(() => lake.Count(LakeTables.DuplicateEvents.Name) == 1 && lake.Count(LakeTables.BadEvents.Name) == 1, TimeSpan.FromSeconds(30), () => "round two");

        var victimBefore = CountsOf(lake, Victim);
        Assert.Equal(
            new Dictionary<string, long> { ["sword_purchases"] = 4, ["join_guilds"] = 2, ["default_events"] = 1, ["bad_events"] = 1, ["duplicate_events"] = 1, ["idempotency_keys"] = 1 },
            victimBefore);
        var othersBefore = Others.ToDictionary(u => u, u => CountsOf(lake, u));
        var versionsBefore = LakeTables.Streamed.ToDictionary(t => t.Name, t => lake.Snapshot(t.Name)!.Version);
        var filesBefore = LakeTables.Streamed.SelectMany(t => lake.Snapshot(t.Name)!.Files.Select(f => Path.Combine(Lake, t.Name, f.StoragePath))).ToList();

        await using var api = new Api(Lake);
        api.UseKestrel(0);
        InProcessHosts.Start(api.StartServer);
        using var client = api.CreateClient();
        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = TestKeys.Bearer(key);
            return await client.SendAsync(request);
        }

        // A reader may read, not erase.
        using (var forbidden = await SendAsync(HttpMethod.Delete, $"/api/users/{Victim}", TestKeys.Reader))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using (var notYet = await SendAsync(HttpMethod.Get, $"/api/users/{Victim}/erasure", TestKeys.Admin))
        {
            Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
        }

        using var accepted = await SendAsync(HttpMethod.Delete, $"/api/users/{Victim}", TestKeys.Admin);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal($"/api/users/{Victim}/erasure", accepted.Headers.Location?.ToString());

        // Sent right after the request: the writer drops it, whether it reads it before or after the rewrite.
        await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.PurchaseSword, Victim, DateTimeOffset.UtcNow));

        JsonElement status = default;
        await Eventually.TrueAsync(() =>
        {
            using var response = SendAsync(HttpMethod.Get, $"/api/users/{Victim}/erasure", TestKeys.Admin).GetAwaiter().GetResult();
            status = response.Content.ReadFromJsonAsync<JsonElement>().GetAwaiter().GetResult();
            return status.GetProperty("state").GetString() is "completed" or "failed";
        }, TimeSpan.FromSeconds(60), () => status.ToString());
        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.Equal(victimBefore.Values.Sum(), status.GetProperty("rows_removed").GetInt64());

        // Events of the victim produced after the erasure never land; others' still do.
        await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.PurchaseSword, Victim, DateTimeOffset.UtcNow));
        await producer.ProduceAsync(Topics.Events, Event(GameEventTypes.PurchaseSword, Others[1], DateTimeOffset.UtcNow));
        await Eventually.TrueAsync(() => CountsOf(lake, Others[1])["sword_purchases"] == othersBefore[Others[1]]["sword_purchases"] + 1, TimeSpan.FromSeconds(30), () => "bob's marker");
        othersBefore[Others[1]]["sword_purchases"]++;

        Assert.All(CountsOf(lake, Victim), table => Assert.True(table.Value == 0, $"{table.Key} still holds {table.Value} rows of the victim"));
        Assert.Equal(othersBefore, Others.ToDictionary(u => u, u => CountsOf(lake, u)));

        // No live file holds a row of the victim, read file by file; the erasure is a DELETE commit that changed data.
        foreach (var table in LakeTables.Streamed)
        {
            var column = table == LakeTables.BadEvents ? "kafka_key" : "user_id";
            foreach (var file in lake.Snapshot(table.Name)!.Files)
            {
                Assert.Equal(0L, lake.Scalar<long>($"SELECT COUNT(*) FROM read_parquet('{Path.Combine(Lake, table.Name, file.StoragePath)}') WHERE {column} = '{Victim}'"));
            }
        }

        var swordLog = Directory.EnumerateFiles(Path.Combine(Lake, "sword_purchases", "_delta_log"), "*.json").Select(File.ReadAllText).ToList();
        Assert.Contains(swordLog, commit => commit.Contains("\"operation\":\"DELETE\"", StringComparison.Ordinal) && commit.Contains("\"dataChange\":true", StringComparison.Ordinal));
        using (var history = await SendAsync(HttpMethod.Get, "/api/tables/sword_purchases/history", TestKeys.Reader))
        {
            Assert.Contains("DELETE", await history.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The audit trail names the user only by hash.
        Assert.Equal(2, lake.Scalar<long>($"SELECT COUNT(*) FROM {lake.Source(LakeTables.Erasures.Name)} WHERE user_hash = '{ErasureHashes.UserHash(Victim)}'"));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(Lake, LakeTables.Erasures.Name), "*", SearchOption.AllDirectories),
            file => File.ReadAllText(file).Contains(Victim, StringComparison.Ordinal));

        // Time travel to before the erasure still answers — until vacuum deletes the old files after its retention.
        Assert.Equal(4, lake.Scalar<long>($"SELECT COUNT(*) FROM {lake.Source("sword_purchases", versionsBefore["sword_purchases"])} WHERE user_id = '{Victim}'"));
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2));
        var vacuum = MaintenanceHosts.Create(Lake, new LakeMaintenanceOptions { VacuumRetention = TimeSpan.FromHours(1), LogRetention = TimeSpan.FromHours(1.5) }, later);
        foreach (var table in LakeTables.Streamed)
        {
            await vacuum.VacuumAsync(table.Name, CancellationToken.None);
        }

        var live = LakeTables.Streamed.SelectMany(t => lake.Snapshot(t.Name)!.Files.Select(f => Path.Combine(Lake, t.Name, f.StoragePath))).ToHashSet();
        Assert.All(filesBefore.Where(file => !live.Contains(file)), file => Assert.False(File.Exists(file), $"{file} outlived vacuum"));
        Assert.All(CountsOf(lake, Victim), table => Assert.Equal(0, table.Value));
    }
}
