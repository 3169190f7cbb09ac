using System.Diagnostics;
using GameApi.Ingest;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GamePipeline.Testing;

/// <summary>GameApi on real Kestrel (a real port, real HTTP) against its own embedded Kafka.</summary>
public sealed class GameApiFactory : WebApplicationFactory<EventPublisher>, IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public GameApiFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <param name="settings">A test's own settings over the defaults below (xunit fixtures use the public constructor).</param>
    internal GameApiFactory(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    public EmbeddedKafkaServer Kafka { get; } = EmbeddedKafkaServer.Start(port: 0, topics: [new EmbeddedKafkaTopic(Topics.Events, 4)], groupSessionTimeout: WriterSettings.SessionTimeout);

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    public HttpClient Client { get; private set; } = null!;

    /// <summary>What GameApi logged, down to Debug.</summary>
    public CapturedLogs Logs { get; } = new();

    public async ValueTask InitializeAsync()
    {
        UseKestrel(0);
        InProcessHosts.Start(StartServer);
        Client = CreateClient();
        await WaitUntilKafkaIsReachableAsync();
    }

    /// <summary>
    /// Tests begin once GameApi has found Kafka reachable for longer than a failing probe can take (the probe's
    /// 1 s timeout, set above) plus two probe intervals: the embedded broker can reset the very first connection,
    /// and GameApi then answers 503 until its next probe succeeds.
    /// </summary>
    private async Task WaitUntilKafkaIsReachableAsync()
    {
        var availability = Services.GetRequiredService<KafkaAvailability>();
        var steadyFor = ProbeTimeout + 2 * Services.GetRequiredService<IOptions<IngestOptions>>().Value.ProbeInterval;
        var deadline = Stopwatch.StartNew();
        var available = Stopwatch.StartNew();
        while (available.Elapsed < steadyFor)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"GameApi did not find Kafka reachable within 30 s: {availability.DownReason}");
            }

            if (!availability.IsAvailable)
            {
                available.Restart();
            }

            await Task.Delay(20);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).AddFilter<CapturedLogs>(null, Microsoft.Extensions.Logging.LogLevel.Debug));
        builder.UseSetting("ConnectionStrings:kafka", Kafka.BootstrapServers);
        builder.UseSetting("Ingest:AckTimeout", "00:00:02");
        builder.UseSetting("Ingest:RetryAfter", "00:00:03");
        builder.UseSetting("Ingest:ProbeInterval", "00:00:00.200");
        builder.UseSetting("Ingest:MaxBatchEvents", "50");
        builder.UseSetting("Ingest:MaxBatchBytes", "65536");
        builder.UseSetting("Ingest:ProbeTimeout", ProbeTimeout.ToString());
        // Keys optional and no address limit, as on a laptop; the tests of keys and limits set their own.
        foreach (var (key, value) in TestKeys.WriteKeySettings(required: false))
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("RateLimits:PerAddress:PermitsPerSecond", "0");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public IReadOnlyList<KafkaRecord> Events() => KafkaTopicReader.ReadAll(Kafka.BootstrapServers, Topics.Events);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Kafka.DisposeAsync();
    }
}
