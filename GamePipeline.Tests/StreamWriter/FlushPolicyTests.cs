using System.Diagnostics;
using GamePipeline.Contracts;
using GamePipeline.Tests.Infrastructure;

namespace GamePipeline.Tests.StreamWriter;

public sealed class FlushPolicyTests() : KafkaAndLake(partitions: 4)
{
    [Fact]
    public async Task Under_a_steady_stream_a_writer_that_keeps_up_commits_by_the_flush_interval_not_the_backlog_interval()
    {
        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "steady");
        using var producer = TestEvents.Producer(Kafka.BootstrapServers);
        using var lake = new LakeQuery(Lake);

        // 1,000 events a second for 6 s: records keep arriving, so the consumer never waits a whole poll for one.
        // Every partition is at its end all the while; its batches must go out after FlushInterval (300 ms in
        // tests), not after BacklogFlushInterval (10 s), which is for a writer working through a backlog.
        var streaming = Stopwatch.StartNew();
        TimeSpan? firstSecondInLake = null;
        for (var n = 0; streaming.Elapsed < TimeSpan.FromSeconds(6); n++)
        {
            producer.Produce(Topics.Events, TestEvents.Message(TestEvents.Create(n)));
            if (n % 10 == 9)
            {
                await Task.Delay(10);
                if (firstSecondInLake is null && lake.CountAllEvents() >= 1_000)
                {
                    firstSecondInLake = streaming.Elapsed;
                }
            }
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        Assert.True(firstSecondInLake is { } at && at < TimeSpan.FromSeconds(4),
            $"the stream's first 1,000 events reached the lake {(firstSecondInLake is { } t ? $"after {t}" : "only after it ended")}");
    }
}
