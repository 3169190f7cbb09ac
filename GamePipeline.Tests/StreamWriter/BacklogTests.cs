using Confluent.Kafka;
using GamePipeline.Contracts;
using GamePipeline.Tests.Infrastructure;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>Test writers read at most 2 partitions of a backlog at once (<see cref="WriterSettings"/>).</summary>
public sealed class BacklogTests() : KafkaAndLake(Partitions)
{
    private const int Partitions = 8;
    private const int EventsPerPartition = 300;

    [Fact]
    public async Task A_backlog_over_more_partitions_than_are_read_at_once_is_drained_exactly_once_each_partition_in_one_batch()
    {
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = Kafka.BootstrapServers, EnableIdempotence = true }).Build())
        {
            for (var i = 0; i < Partitions * EventsPerPartition; i++)
            {
                producer.Produce(new TopicPartition(Topics.Events, i % Partitions), TestEvents.Message(TestEvents.Create(i / Partitions)));
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "backlog");
        using var lake = new LakeQuery(Lake);
        const int expected = Partitions * EventsPerPartition;
        await Eventually.TrueAsync(() => lake.CountAllEvents() == expected, TimeSpan.FromSeconds(60), () => $"{lake.CountAllEvents()} of {expected}");

        Assert.Equal(expected, lake.EventIds().Distinct().Count());
        // Read to its end before its batch was committed, every partition went to the lake in one batch: per
        // table and date, each partition's rows are in exactly one file (DuckDB's filename column: the file a row came from).
        var filesPerPartition = LakeTables.All.Where(t => t.EventType is not null && lake.HasFiles(t.Name))
            .SelectMany(t => lake.Rows($"SELECT kafka_partition, count(DISTINCT filename) FROM {lake.Source(t.Name)} GROUP BY kafka_partition, dt"))
            .ToList();
        Assert.Equal(Partitions, filesPerPartition.Select(row => row[0]).Distinct().Count());
        Assert.All(filesPerPartition, row => Assert.Equal(1L, Convert.ToInt64(row[1])));
    }
}
