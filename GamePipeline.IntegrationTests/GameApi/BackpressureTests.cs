using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GamePipeline.Hosting.Kafka;
using GamePipeline.Tests.StreamWriter;


namespace GamePipeline.Tests.GameApi;

/// <summary>
/// GameApi told the embedded Kafka's retention (as the AppHost does), a StreamWriter process, and clients sending
/// as fast as they can: the writer stops for a minute, then dies.
/// </summary>
[Collection(MeasuresTime.Name)]
public sealed class BackpressureTests(ITestOutputHelper output) : GameApiAndLake(new Dictionary<string, string?>
    {
        ["Ingest:Backpressure:RetentionBytes"] = MockKafkaCluster.RetainedBytesPerPartition.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ingest:Backpressure:RetentionBatches"] = MockKafkaCluster.RetainedBatchesPerPartition.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Kafka:Clients:gameapi-events:StatisticsInterval"] = "00:00:01",
    })
{
    private sealed class Tally
    {
        public ConcurrentBag<string> Accepted { get; } = [];

        public int Refused;

        public int Other;
    }

    /// <summary>One client: batches of 10 events for its own users, one after another, until stopped.</summary>
    private async Task SendAsync(int client, Tally tally, CancellationToken stop)
    {
        var pad = new string('x', 200);
        var events = string.Join(",", Enumerable.Range(0, 10).Select(i =>
            $$$"""{"event_type":"{{{(i % 2 == 0 ? "purchase_sword" : "join_guild")}}}","properties":{"pad":"{{{pad}}}"}}"""));
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var body = $$"""{"user_id":"client{{client}}-{{n % 50}}","events":[{{events}}]}""";
            using var response = await Api.Client.PostAsync("/v1/events", new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken.None);
            switch (response.StatusCode)
            {
                case HttpStatusCode.Accepted:
                    var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                    foreach (var id in accepted.GetProperty("event_ids").EnumerateArray())
                    {
                        tally.Accepted.Add(id.GetString()!);
                    }

                    break;
                case HttpStatusCode.ServiceUnavailable:
                    Interlocked.Increment(ref tally.Refused);
                    // A client that honours Retry-After would wait; these keep pushing, a harder test.
                    await Task.Delay(5, CancellationToken.None);
                    break;
                default:
                    Interlocked.Increment(ref tally.Other);
                    break;
            }
        }
    }

    [Fact]
    public async Task With_the_writer_paused_for_a_minute_then_killed_every_acknowledged_event_reaches_the_lake_exactly_once_and_the_rest_are_refused()
    {
        using var writer = WriterProcess.Start(Api.Kafka.BootstrapServers, Lake, "paused");
        using var lake = new LakeQuery(Lake);
        var tally = new Tally();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(() => SendAsync(c, tally, stop.Token))).ToList();
        await Eventually.TrueAsync(() => lake.CountAllEvents() > 0, TimeSpan.FromSeconds(60), () => "the writer wrote nothing");

        await writer.PauseAsync();
        var acceptedAtPause = tally.Accepted.Count;
        await Task.Delay(TimeSpan.FromSeconds(60));
        var acceptedWhilePaused = tally.Accepted.Count - acceptedAtPause;
        var refusedWhilePaused = tally.Refused;
        writer.Kill();

        using var successor = WriterProcess.Start(Api.Kafka.BootstrapServers, Lake, "successor");
        await Task.Delay(TimeSpan.FromSeconds(10));
        stop.Cancel();
        await Task.WhenAll(clients);

        var accepted = tally.Accepted.ToHashSet();
        output.WriteLine($"accepted {accepted.Count} events ({acceptedWhilePaused} while the writer was paused), refused {tally.Refused} batches (503; {refusedWhilePaused} by the end of the pause), other answers {tally.Other}");
        await Eventually.TrueAsync(() => lake.CountAllEvents() >= accepted.Count, TimeSpan.FromSeconds(90),
            () => $"the lake holds {lake.CountAllEvents()} of {accepted.Count} accepted events");
        var ids = lake.EventIds();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(accepted.SetEquals(ids), $"the lake holds {ids.Count} events, {ids.Except(accepted).Count()} of them never accepted; {accepted.Except(ids).Count()} accepted events are missing");
        Assert.Equal(0, tally.Other);
        // The minute's traffic is far more than Kafka keeps: GameApi accepted what fits, then refused the rest.
        Assert.True(acceptedWhilePaused > 0, "nothing was accepted while the writer was paused");
        Assert.True(refusedWhilePaused > 0, "nothing was refused while the writer was paused");
        Assert.Equal(0, lake.Count("bad_events"));
    }
}
