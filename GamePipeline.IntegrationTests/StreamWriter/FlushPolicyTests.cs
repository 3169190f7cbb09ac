using System.Diagnostics;
using Confluent.Kafka;
using GamePipeline.Contracts;
using Microsoft.Extensions.DependencyInjection;
using StreamWriter.Writing;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>When a writer that keeps up commits: after FlushInterval (300 ms in tests), not BacklogFlushInterval (10 s).</summary>
public sealed class FlushPolicyTests() : KafkaAndLake(partitions: 4)
{
    [Fact]
    public async Task Events_from_a_transactional_producer_are_committed_by_the_flush_interval_not_the_backlog_interval()
    {
        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "transactions");
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = Kafka.BootstrapServers, TransactionalId = "game-server-1", EnableIdempotence = true,
        }).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        using var lake = new LakeQuery(Lake);

        // Each commit marker takes an offset that no record is delivered at, so the writer's position stays
        // behind Kafka's high watermark; it must still count the partition as caught up (FlushInterval 300 ms in
        // tests) rather than wait for the 10 s backlog interval.
        for (var transaction = 1; transaction <= 3; transaction++)
        {
            producer.BeginTransaction();
            for (var i = 0; i < 10; i++)
            {
                producer.Produce(Topics.Events, TestEvents.Message(TestEvents.Create(i)));
            }

            producer.CommitTransaction(TimeSpan.FromSeconds(30));
            var committed = Stopwatch.StartNew();
            var expected = transaction * 10;
            await Eventually.TrueAsync(() => lake.CountAllEvents() == expected, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of {expected}");
            Assert.True(committed.Elapsed < TimeSpan.FromSeconds(6), $"transaction {transaction} reached the lake after {committed.Elapsed}");
        }
    }

    [Fact]
    public async Task Under_a_steady_stream_a_writer_that_keeps_up_commits_by_the_flush_interval_not_the_backlog_interval()
    {
        // The default flush interval (1 s), not the tests' 300 ms: it is also how far a writer may trail the stream
        // before it counts as working through a backlog, and with the whole suite and two CPU hogs beside it the
        // writer was starved for more than 300 ms at times.
        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "steady",
            new Dictionary<string, string?> { ["StreamWriter:FlushInterval"] = "00:00:01" });
        using var producer = TestEvents.Producer(Kafka.BootstrapServers);
        using var lake = new LakeQuery(Lake);

        await WriterReadsAsync(producer, lake);

        // About 5,000 events a second for 6 s over 4 partitions: records keep arriving, so the consumer never waits
        // a whole poll for one, and on a busy machine it trails librdkafka's prefetch by more than a few records. It
        // keeps up all the same: its batches must go out after FlushInterval (1 s here), not after
        // BacklogFlushInterval (10 s), and it must not read the partitions in groups (test writers do that for
        // more than 2 partitions behind), which is for a writer working through a backlog.
        const int Burst = 50;
        var groups = writer.Services.GetRequiredService<LakeWriter>();
        var readInGroups = false;
        var streaming = Stopwatch.StartNew();
        long? producedInFirstSecond = null;
        TimeSpan? firstSecondInLake = null;
        for (var n = 0; streaming.Elapsed < TimeSpan.FromSeconds(6); n++)
        {
            producer.Produce(Topics.Events, TestEvents.Message(TestEvents.Create(n)));
            readInGroups |= groups.ReadingInGroups;
            if (n % Burst == Burst - 1)
            {
                await Task.Delay(10);
                producedInFirstSecond ??= streaming.Elapsed >= TimeSpan.FromSeconds(1) ? n + 1 : null;
                if (producedInFirstSecond is { } target && firstSecondInLake is null && lake.CountAllEvents() - 1 >= target)
                {
                    firstSecondInLake = streaming.Elapsed;
                }
            }
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        Assert.True(firstSecondInLake is { } at && at < TimeSpan.FromSeconds(4),
            $"the {producedInFirstSecond} events of the stream's first second reached the lake {(firstSecondInLake is { } t ? $"after {t}" : "only after it ended")}");
        Assert.False(readInGroups, "a writer keeping up with a steady stream paused partitions to read them in groups");
    }

    [Fact]
    public async Task After_a_quiet_spell_a_burst_is_read_as_a_live_stream_not_as_a_backlog()
    {
        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "bursts");
        using var producer = TestEvents.Producer(Kafka.BootstrapServers);
        using var lake = new LakeQuery(Lake);
        await WriterReadsAsync(producer, lake);

        // Quiet for longer than the flush interval, so the newest record read is older than that when the next burst
        // is fetched: until its first records are read, only having been read to its end a moment ago tells a
        // partition that keeps up from one with a backlog.
        var groups = writer.Services.GetRequiredService<LakeWriter>();
        using var watching = new CancellationTokenSource();
        var readInGroups = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                if (groups.ReadingInGroups)
                {
                    return true;
                }

                await Task.Delay(1);
            }

            return false;
        });
        var produced = 1;
        for (var burst = 0; burst < 8; burst++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(700));
            for (var i = 0; i < 400; i++, produced++)
            {
                producer.Produce(Topics.Events, TestEvents.Message(TestEvents.Create(i)));
            }

            producer.Flush(TimeSpan.FromSeconds(10));
        }

        await Eventually.TrueAsync(() => lake.CountAllEvents() == produced, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of {produced}");
        await watching.CancelAsync();
        Assert.False(await readInGroups, "a writer keeping up with bursts after quiet spells paused partitions to read them in groups");
    }

    /// <summary>
    /// Waits until the writer reads, by one event it commits: a stream must not start before, or the records produced
    /// while the writer still joins its group are a backlog of their own by its first fetch (over a second on a busy
    /// machine).
    /// </summary>
    private static async Task WriterReadsAsync(IProducer<string, byte[]> producer, LakeQuery lake)
    {
        producer.Produce(Topics.Events, TestEvents.Message(TestEvents.Create(0)));
        await Eventually.TrueAsync(() => lake.CountAllEvents() == 1, TimeSpan.FromSeconds(30), () => "the first event is not in the lake");
    }
}
