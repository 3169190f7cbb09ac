using GameApi.Ingest;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GamePipeline.Tests.GameApi;

/// <summary>GameApi on real Kestrel (a real port, real HTTP) against its own embedded Kafka.</summary>
public sealed class GameApiFactory : WebApplicationFactory<EventPublisher>, IAsyncLifetime
{
    public EmbeddedKafkaServer Kafka { get; } = EmbeddedKafkaServer.Start(port: 0, topics: [new EmbeddedKafkaTopic(Topics.Events, 4)]);

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        UseKestrel(0);
        Infrastructure.InProcessHosts.Start(StartServer);
        Client = CreateClient();
        return Task.CompletedTask;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:kafka", Kafka.BootstrapServers);
        builder.UseSetting("Ingest:AckTimeout", "00:00:02");
        builder.UseSetting("Ingest:RetryAfter", "00:00:03");
        builder.UseSetting("Ingest:ProbeInterval", "00:00:00.200");
        builder.UseSetting("Ingest:MaxBatchEvents", "50");
        builder.UseSetting("Ingest:MaxBatchBytes", "65536");
        builder.UseSetting("Kafka:Clients:gameapi-events:HealthCheckTimeout", "00:00:01");
    }

    public IReadOnlyList<Infrastructure.KafkaRecord> Events() => Infrastructure.KafkaTopicReader.ReadAll(Kafka.BootstrapServers, Topics.Events);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Kafka.DisposeAsync();
    }
}
