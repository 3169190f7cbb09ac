using System.Diagnostics;
using Confluent.Kafka;
using GamePipeline.Contracts;
using GamePipeline.Tests.Infrastructure;

namespace GamePipeline.Tests.StreamWriter;

public sealed class TransactionalProducerTests() : KafkaAndLake(partitions: 1)
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
}
