using AnalyticsApi.Queries;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace GamePipeline.Testing;

/// <summary>
/// A known set of events, through the real path: produced to an embedded Kafka, written to a lake by
/// StreamWriter, registered by the CatalogSetup process; AnalyticsApi then serves them on real Kestrel, to readers with
/// a key (<see cref="Client"/> sends <see cref="TestKeys.Reader"/>).
/// </summary>
public sealed class AnalyticsFixture : WebApplicationFactory<AnalyticsQueries>, IAsyncLifetime
{
    public static readonly DateTimeOffset JoinedAt = DateTimeOffset.UtcNow.AddMinutes(-5);

    public string Lake { get; } = Directory.CreateTempSubdirectory("analytics-lake-").FullName;

    public string Catalog => Path.Combine(Lake, "_catalog", "test.duckdb");

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress => Client.BaseAddress!;

    /// <summary>CatalogSetup ran twice on the same catalog: before any event and after the writer's commits.</summary>
    public IReadOnlyList<ProcessResult> CatalogSetupRuns { get; private set; } = [];

    /// <summary>How many of <see cref="Events"/> the writer commits before the rest are sent: alpha's first five.</summary>
    public const int FirstRound = 5;

    /// <summary>
    /// alpha: joined, then 3 swords, 2 defaults (curl). beta: a sword (sent with an idempotency key, and again in
    /// <see cref="Retries"/>), then joined twice.
    /// </summary>
    public static IReadOnlyList<GameEventEnvelope> Events { get; } =
    [
        TestEvents.Create(GameEventTypes.JoinGuild, "alpha.example", JoinedAt),
        TestEvents.Create(GameEventTypes.PurchaseSword, "alpha.example", JoinedAt.AddSeconds(1)),
        TestEvents.Create(GameEventTypes.PurchaseSword, "alpha.example", JoinedAt.AddSeconds(2)),
        TestEvents.Create(GameEventTypes.PurchaseSword, "alpha.example", JoinedAt.AddSeconds(3)),
        TestEvents.Create(GameEventTypes.Default, "alpha.example", JoinedAt.AddSeconds(4), "curl/8.0"),
        TestEvents.Create(GameEventTypes.Default, "alpha.example", JoinedAt.AddSeconds(5), "curl/8.0"),
        TestEvents.Create(GameEventTypes.PurchaseSword, "beta.example", JoinedAt.AddSeconds(-30)) with { EventId = BetaSwordId, IdempotencyKey = BetaSwordId.ToString() },
        TestEvents.Create(GameEventTypes.JoinGuild, "beta.example", JoinedAt.AddSeconds(6)),
        TestEvents.Create(GameEventTypes.JoinGuild, "beta.example", JoinedAt.AddSeconds(7)),
    ];

    private static readonly Guid BetaSwordId = Guid.NewGuid();

    /// <summary>beta's sword sent again, after the rest: a duplicate the lake keeps in duplicate_events, not in sword_purchases.</summary>
    public static IReadOnlyList<GameEventEnvelope> Retries { get; } = [Events[6] with { ReceivedAt = JoinedAt.AddSeconds(8) }];

    public async ValueTask InitializeAsync()
    {
        var environment = new Dictionary<string, string> { ["ConnectionStrings__lake"] = Lake, ["ConnectionStrings__catalog"] = Catalog };
        var first = await ServiceProcess.RunToCompletionAsync("CatalogSetup", environment, TimeSpan.FromMinutes(1));

        await using (var kafka = EmbeddedKafkaServer.Start(port: 0, topics: [new EmbeddedKafkaTopic(Topics.Events, 2)]))
        {
            // Two rounds, each committed before the next is sent: the tables have versions to travel back to and
            // more than one file to compact.
            await using var writer = await WriterHost.StartAsync(kafka.BootstrapServers, Lake, "analytics");
            using var producer = TestEvents.Producer(kafka.BootstrapServers);
            using var lake = new LakeQuery(Lake);
            var sent = 0;
            foreach (var round in new[] { Events.Take(FirstRound), Events.Skip(FirstRound) })
            {
                foreach (var envelope in round)
                {
                    await producer.ProduceAsync(Topics.Events, TestEvents.Message(envelope));
                    sent++;
                }

                await Eventually.TrueAsync(() => lake.CountAllEvents() == sent, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of {sent}");
            }

            foreach (var retry in Retries)
            {
                await producer.ProduceAsync(Topics.Events, TestEvents.Message(retry));
            }

            var duplicates = LakeTables.DuplicateEvents.Name;
            await Eventually.TrueAsync(() => lake.Count(duplicates) == Retries.Count, TimeSpan.FromSeconds(30), () => $"{lake.Count(duplicates)} of {Retries.Count} duplicates");
        }

        var second = await ServiceProcess.RunToCompletionAsync("CatalogSetup", environment, TimeSpan.FromMinutes(1));
        CatalogSetupRuns = [first, second];

        UseKestrel(0);
        InProcessHosts.Start(StartServer);
        Client = CreateClient();
        Client.DefaultRequestHeaders.Authorization = TestKeys.Bearer(TestKeys.Reader);
    }

    /// <summary>What AnalyticsApi logged, down to Debug.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>A client of the same AnalyticsApi that sends no key.</summary>
    public HttpClient AnonymousClient() => new() { BaseAddress = BaseAddress };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).AddFilter<CapturedLogs>(null, Microsoft.Extensions.Logging.LogLevel.Debug));
        builder.UseSetting("ConnectionStrings:catalog", Catalog);
        builder.UseSetting("ConnectionStrings:lake", Lake);
        foreach (var (key, value) in TestKeys.ReaderKeySettings())
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Lake, recursive: true);
    }
}
