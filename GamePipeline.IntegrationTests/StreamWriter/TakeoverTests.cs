using System.Diagnostics;
using Confluent.Kafka;
using GamePipeline.Contracts;


namespace GamePipeline.Tests.StreamWriter;

[Collection(MeasuresTime.Name)]
public sealed class TakeoverTests(ITestOutputHelper output) : KafkaAndLake(partitions: 4)
{
    [Fact]
    public async Task When_a_writer_is_killed_another_holds_its_partitions_within_the_session_timeout_plus_two_seconds()
    {
        var sessionTimeout = Kafka.Cluster.GroupSessionTimeout;
        using var producer = TestEvents.Producer(Kafka.BootstrapServers);
        using var lake = new LakeQuery(Lake);
        using var doomed = WriterProcess.Start(Kafka.BootstrapServers, Lake, "doomed");
        using var survivor = WriterProcess.Start(Kafka.BootstrapServers, Lake, "survivor");

        // Both writers hold partitions once events on every partition keep reaching the lake.
        var round = 0;
        async Task<List<string>> OnePerPartitionAsync()
        {
            var ids = new List<string>();
            for (var partition = 0; partition < 4; partition++)
            {
                var envelope = TestEvents.Create(round++);
                ids.Add(envelope.EventId.ToString());
                await producer.ProduceAsync(new TopicPartition(Topics.Events, partition), TestEvents.Message(envelope));
            }

            return ids;
        }

        bool InLake(List<string> ids) => lake.EventIds().Intersect(ids).Count() == ids.Count;
        var warmUp = await OnePerPartitionAsync();
        await Eventually.TrueAsync(() => InLake(warmUp), TimeSpan.FromSeconds(60), () => "the writers did not start");
        await Task.Delay(TimeSpan.FromSeconds(2));

        doomed.Kill();
        var killed = Stopwatch.StartNew();
        var markers = await OnePerPartitionAsync();
        while (!InLake(markers) && killed.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        output.WriteLine($"every partition written again {killed.Elapsed.TotalSeconds:0.0} s after the kill (session timeout {sessionTimeout.TotalSeconds} s)");
        Assert.True(InLake(markers), "the killed writer's partitions were never taken over");
        Assert.True(killed.Elapsed <= sessionTimeout + TimeSpan.FromSeconds(2), $"takeover took {killed.Elapsed}");
    }
}
