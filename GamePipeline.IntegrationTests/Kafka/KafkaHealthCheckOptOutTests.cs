using System.Net;
using GamePipeline.Tests.GameApi;
using GamePipeline.Tests.StreamWriter;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace GamePipeline.Tests.Kafka;

/// <summary>The Kafka clients' documented <c>DisableHealthChecks</c>, set for every service that has one.</summary>
public sealed class KafkaHealthCheckOptOutTests() : GameApiAndLake(new Dictionary<string, string?>
{
    ["Kafka:Clients:gameapi-events:DisableHealthChecks"] = "true",
})
{
    [Fact]
    public async Task Without_their_kafka_health_checks_GameApi_and_StreamWriter_run_and_events_reach_the_lake()
    {
        var registrations = Api.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.DoesNotContain(registrations, r => r.Name.StartsWith("kafka-", StringComparison.Ordinal));

        await using var writer = await WriterHost.StartAsync(Api.Kafka.BootstrapServers, Lake, "no-health-check",
            new Dictionary<string, string?> { ["Kafka:Clients:streamwriter:DisableHealthChecks"] = "true" });
        for (var i = 0; i < 20; i++)
        {
            using var response = await Api.Client.GetAsync("/purchase_a_sword");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await Api.Client.GetAsync("/health")).StatusCode);
        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => lake.Count("sword_purchases") == 20, TimeSpan.FromSeconds(30), () => $"{lake.Count("sword_purchases")} of 20 rows");
    }
}
