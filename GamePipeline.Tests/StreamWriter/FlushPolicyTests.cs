using System.Diagnostics;
using GamePipeline.Contracts;
using GamePipeline.Tests.Infrastructure;

namespace GamePipeline.Tests.StreamWriter;

public sealed class FlushPolicyTests() : KafkaAndLake(partitions: 2)
{
    [Fact]
    public async Task Under_a_steady_stream_a_writer_that_keeps_up_commits_by_the_flush_interval_not_the_backlog_interval()
    {
        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "steady");
        using var producer = TestEvents.Producer(Kafka.BootstrapServers);
        using var lake = new LakeQuery(Lake);

        // About 1,000 events a second for 6 s: records keep arriving, so the consumer never waits a whole poll for
        // one, and on a busy machine it trails librdkafka's prefetch by more than a few records. It keeps up all the
        // same; its batches must go out after FlushInterval (300 ms in tests), not after BacklogFlushInterval (10 s),
        // which is for a writer working through a backlog. (Two partitions: fewer than test writers read in groups.)
        var streaming = Stopwatch.StartNew();
        TimeSpan? firstThousandInLake = null;
        for (var n = 0; streaming.Elapsed < TimeSpan.FromSeconds(6); n++)
        {
            producer.Produce(Topics.Events, TestEvents.Message(TestEvents.Create(n)));
            if (n % 10 == 9)
            {
                await Task.Delay(10);
                if (firstThousandInLake is null && lake.CountAllEvents() >= 1_000)
                {
                    firstThousandInLake = streaming.Elapsed;
                }
            }
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        Assert.True(firstThousandInLake is { } at && at < TimeSpan.FromSeconds(4),
            $"the stream's first 1,000 events reached the lake {(firstThousandInLake is { } t ? $"after {t}" : "only after it ended")}");
    }
}
