using Microsoft.Extensions.DependencyInjection;
using Confluent.Kafka;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>Test writers read at most 2 partitions of a backlog at once (<see cref="WriterSettings"/>).</summary>
public sealed partial class BacklogTests() : KafkaAndLake(Partitions)
{
    private const int Partitions = 8;
    private const int EventsPerPartition = 300;

    private void ProduceBacklog(int eventsPerPartition, DateTime? producedAt = null)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = Kafka.BootstrapServers, EnableIdempotence = true }).Build();
        for (var i = 0; i < Partitions * eventsPerPartition; i++)
        {
            var message = TestEvents.Message(TestEvents.Create(i / Partitions));
            if (producedAt is { } at)
            {
                message.Timestamp = new Timestamp(at);
            }

            producer.Produce(new TopicPartition(Topics.Events, i % Partitions), message);
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_backlog_over_more_partitions_than_are_read_at_once_is_drained_exactly_once_each_partition_in_one_batch()
    {
        ProduceBacklog(EventsPerPartition);

        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "backlog");
        using var lake = new LakeQuery(Lake);
        const int expected = Partitions * EventsPerPartition;
        await Eventually.TrueAsync(() => lake.CountAllEvents() == expected, TimeSpan.FromSeconds(60), () => $"{lake.CountAllEvents()} of {expected}");

        Assert.Equal(expected, lake.EventIds().Distinct().Count());
        // Read to its end before its batch was committed, every partition went to the lake in one batch: per
        // table and date, each partition's rows are in exactly one file (a data file is named for the partition it holds).
        var files = LakeTables.All.Where(t => t.EventType is not null && lake.HasFiles(t.Name))
            .SelectMany(t => lake.Snapshot(t.Name)!.Files.Select(f => (t.Name, Dt: f.PartitionValues["dt"], Partition: PartitionInName().Match(f.Path).Groups[1].Value)))
            .ToList();
        Assert.Equal(Partitions, files.Select(f => f.Partition).Distinct().Count());
        Assert.All(files.GroupBy(f => f), sameTablePartitionAndDate => Assert.Single(sameTablePartitionAndDate));
    }

    [Fact]
    public async Task A_backlog_is_committed_as_its_partitions_are_read_to_their_end_not_after_the_flush_interval()
    {
        // Produced an hour ago: a backlog whatever the flush interval. The intervals are longer than the test may take,
        // so only "read to its end" commits these batches — including the last partitions', read once no others are
        // paused for them (a drained backlog's last batches waited a whole flush interval for records that never come).
        const int eventsPerPartition = 2_000;
        ProduceBacklog(eventsPerPartition, DateTime.UtcNow.AddHours(-1));

        await using var writer = await StartWriterWithLongIntervalsAsync("backlog-end");
        using var lake = new LakeQuery(Lake);
        const int expected = Partitions * eventsPerPartition;
        var consumer = writer.Services.GetRequiredService<IConsumer<string?, ReadOnlyMemory<byte>>>();
        await Eventually.TrueAsync(() => lake.CountAllEvents() == expected, TimeSpan.FromSeconds(40),
            () => $"{lake.CountAllEvents()} of {expected}; the writer holds {consumer.Assignment.Count} partitions");

        Assert.Equal(expected, lake.EventIds().Distinct().Count());
    }

    [Fact]
    public async Task The_rest_of_a_backlog_arriving_after_its_partition_seemed_read_to_its_end_is_committed_at_its_new_end_not_after_the_flush_interval()
    {
        // A transactional producer's commit marker takes the offset after each partition's last record: the writer
        // never reads such a partition to its high watermark, and takes it to be at its end once nothing more
        // arrives for a moment. More of the same hour-old backlog arriving after that moment is still a backlog —
        // committed at its new end, not after a flush interval (a minute here, longer than the test may take).
        // The rest goes to one partition, the last read: fewer than are read at once, so not read in groups again.
        // The backlog is as large as the test above's: a few hundred records per partition may all be read before
        // the writer first sees them behind — then it never reads them in groups, and (like any partition it keeps
        // up with) waits the minute-long flush interval.
        const int eventsPerPartition = 2_000;
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = Kafka.BootstrapServers, TransactionalId = "backlog-replay", EnableIdempotence = true,
        }).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        var producedAt = DateTime.UtcNow.AddHours(-1);
        ProduceInTransaction(producer, Enumerable.Range(0, Partitions), eventsPerPartition, producedAt);

        await using var writer = await StartWriterWithLongIntervalsAsync("backlog-rest");
        using var lake = new LakeQuery(Lake);
        const int first = Partitions * eventsPerPartition;
        await Eventually.TrueAsync(() => lake.CountAllEvents() == first, TimeSpan.FromSeconds(40), () => $"{lake.CountAllEvents()} of {first}");

        ProduceInTransaction(producer, [Partitions - 1], EventsPerPartition, producedAt);
        const int all = first + EventsPerPartition;
        await Eventually.TrueAsync(() => lake.CountAllEvents() == all, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of {all}");

        Assert.Equal(all, lake.EventIds().Distinct().Count());
    }

    /// <summary>A writer whose flush intervals are longer than a test may take: only a partition read to its end commits its batch.</summary>
    private Task<WriterHost> StartWriterWithLongIntervalsAsync(string writerId) =>
        WriterHost.StartAsync(Kafka.BootstrapServers, Lake, writerId, new Dictionary<string, string?>
        {
            ["StreamWriter:FlushInterval"] = "00:01:00",
            ["StreamWriter:BacklogFlushInterval"] = "00:02:00",
        });

    private static void ProduceInTransaction(IProducer<string, byte[]> producer, IEnumerable<int> partitions, int eventsPerPartition, DateTime producedAt)
    {
        producer.BeginTransaction();
        foreach (var partition in partitions)
        {
            for (var i = 0; i < eventsPerPartition; i++)
            {
                var message = TestEvents.Message(TestEvents.Create(i));
                message.Timestamp = new Timestamp(producedAt);
                producer.Produce(new TopicPartition(Topics.Events, partition), message);
            }
        }

        producer.CommitTransaction(TimeSpan.FromSeconds(30));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"-p(\d{4})-e")]
    private static partial System.Text.RegularExpressions.Regex PartitionInName();
}
