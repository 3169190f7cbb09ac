using System.Text.Json;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StreamWriter;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>Kafka's retention drops records no writer has read (as it does when GameApi was not told the retention).</summary>
public sealed class RetentionLossTests() : KafkaAndLake(partitions: 1)
{
    [Fact]
    public async Task Records_kafka_dropped_before_the_writer_read_them_are_reported_as_lost_and_the_writer_turns_unhealthy()
    {
        // Twice what the embedded Kafka keeps of a partition, while no writer runs.
        var pad = new string('p', 2_000);
        using (var producer = TestEvents.Producer(Kafka.BootstrapServers))
        {
            long produced = 0;
            for (var n = 0; produced < 2 * MockKafkaCluster.RetainedBytesPerPartition; n++)
            {
                var message = TestEvents.Message(TestEvents.Create(n) with { Properties = JsonSerializer.SerializeToElement(new { pad }) });
                produced += message.Value.Length;
                producer.Produce(Topics.Events, message);
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "late");
        var losses = writer.Services.GetRequiredService<RetentionLosses>();
        await Eventually.TrueAsync(() => losses.CheckHealthAsync(new HealthCheckContext()).Result.Status == HealthStatus.Unhealthy,
            TimeSpan.FromSeconds(30), () => "the writer reported no loss");

        var health = await losses.CheckHealthAsync(new HealthCheckContext());
        Assert.Contains("partition 0: offsets 0–", health.Description);
        // What Kafka still held is written.
        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => lake.CountAllEvents() > 0, TimeSpan.FromSeconds(30), () => "nothing was written");
    }
}
