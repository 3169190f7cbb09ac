using System.Net;
using System.Text.Json;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;
using GamePipeline.Tests.StreamWriter;

namespace GamePipeline.Tests.GameApi;

/// <summary>GameApi told nothing of Kafka's retention (a cluster whose limits are by age, or not configured).</summary>
public sealed class UnknownRetentionTests : GameApiAndLake
{
    [Fact]
    public async Task Once_kafka_drops_records_no_writer_has_written_events_are_refused_until_a_writer_catches_up()
    {
        Assert.Equal(HttpStatusCode.OK, (await Api.Client.GetAsync("/purchase_a_sword")).StatusCode);

        // No writer runs, and one partition outgrows what the embedded Kafka keeps: it starts dropping.
        var pad = JsonSerializer.SerializeToElement(new { pad = new string('p', 2_000) });
        using (var producer = TestEvents.Producer(Api.Kafka.BootstrapServers))
        {
            long produced = 0;
            for (var n = 0; produced < 2 * MockKafkaCluster.RetainedBytesPerPartition; n++)
            {
                var message = TestEvents.Message(TestEvents.Create(n) with { Properties = pad });
                produced += message.Value.Length;
                producer.Produce(new Confluent.Kafka.TopicPartition(Topics.Events, 0), message);
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        await Eventually.TrueAsync(() => Status() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10), () => "events are still accepted");
        using var refused = await Api.Client.GetAsync("/join_the_guild");
        Assert.Contains("The lake writers are behind", await refused.Content.ReadAsStringAsync());

        // A writer writes what Kafka still holds; GameApi accepts again by itself.
        await using var writer = await WriterHost.StartAsync(Api.Kafka.BootstrapServers, Lake, "catching-up");
        await Eventually.TrueAsync(() => Status() == HttpStatusCode.OK, TimeSpan.FromSeconds(60), () => "events are still refused");

        HttpStatusCode Status()
        {
            using var response = Api.Client.GetAsync("/").GetAwaiter().GetResult();
            return response.StatusCode;
        }
    }
}
