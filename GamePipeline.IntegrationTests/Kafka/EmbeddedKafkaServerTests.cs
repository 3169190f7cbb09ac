using Confluent.Kafka;
using GamePipeline.Hosting.Kafka;

namespace GamePipeline.Tests.Kafka;

public sealed class EmbeddedKafkaServerTests
{
    [Fact]
    public async Task Clients_bootstrap_through_the_fixed_port_and_round_trip_a_message()
    {
        await using var kafka = EmbeddedKafkaServer.Start(port: 0, topics: [new EmbeddedKafkaTopic("roundtrip", 2)]);

        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        var delivered = await producer.ProduceAsync("roundtrip", new Message<string, string> { Key = "k", Value = "hello" });

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = "roundtrip-test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(delivered.TopicPartitionOffset);
        var consumed = consumer.Consume(TimeSpan.FromSeconds(10));

        Assert.NotNull(consumed);
        Assert.Equal("hello", consumed.Message.Value);
    }
}
