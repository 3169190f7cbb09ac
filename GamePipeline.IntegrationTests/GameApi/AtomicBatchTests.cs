using System.Diagnostics;
using System.Net;
using System.Text;
using GamePipeline.Tests.StreamWriter;

namespace GamePipeline.Tests.GameApi;

/// <summary>Its own GameApi, Kafka and StreamWriter: this test takes the broker down while a batch is being sent.</summary>
public sealed class AtomicBatchTests : GameApiAndLake
{
    private static StringContent Batch(string user, int events, string eventType) =>
        new($$"""{"user_id":"{{user}}","events":[{{string.Join(",", Enumerable.Repeat($$"""{"event_type":"{{eventType}}"}""", events))}}]}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_batch_sent_while_the_broker_fails_is_answered_503_and_none_of_its_events_reaches_the_lake()
    {
        await using var writer = await WriterHost.StartAsync(Api.Kafka.BootstrapServers, Lake, "atomic");
        Assert.Equal(HttpStatusCode.Accepted, (await Api.Client.PostAsync("/v1/events", Batch($"first-{Guid.NewGuid():N}", 3, "default"))).StatusCode);

        // The broker fails the moment the batch is sent: GameApi has not noticed yet, so the batch is handed to
        // Kafka and waits for its acknowledgement until the timeout (2 s here).
        var interrupted = $"interrupted-{Guid.NewGuid():N}";
        Api.Kafka.Cluster.SetBrokerDown(1);
        using var response = await Api.Client.PostAsync("/v1/events", Batch(interrupted, 50, "purchase_sword"));
        Api.Kafka.Cluster.SetBrokerUp(1);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);

        // Once Kafka is back, a later batch goes through and reaches the lake; the interrupted one never does.
        var after = $"after-{Guid.NewGuid():N}";
        var accepted = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            status = (await Api.Client.PostAsync("/v1/events", Batch(after, 5, "join_guild"))).StatusCode;
        }
        while (status != HttpStatusCode.Accepted && accepted.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.Accepted, status);
        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => lake.Count("join_guilds") == 5, TimeSpan.FromSeconds(30), () => $"join_guilds holds {lake.Count("join_guilds")} rows");
        Assert.Equal(0, lake.Count("sword_purchases"));
        Assert.DoesNotContain(Api.Events(), r => r.Key == interrupted);
        Assert.Equal(3, lake.Count("default_events"));
    }
}
