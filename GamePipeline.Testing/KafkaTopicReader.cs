using System.Text.Json;
using Confluent.Kafka;
using GamePipeline.Contracts;

namespace GamePipeline.Testing;

public sealed record KafkaRecord(string? Key, byte[] Value, int Partition, long Offset, string? TraceParent)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Value);

    /// <summary>The record's one event (a seed route's record).</summary>
    public GameEventEnvelope Envelope => JsonSerializer.Deserialize(Value, ContractsJsonContext.Default.GameEventEnvelope)!;

    /// <summary>The record's events: one, or a batch's (a JSON array of envelopes).</summary>
    public IReadOnlyList<GameEventEnvelope> Envelopes => Value is [(byte)'[', ..]
        ? [.. JsonDocument.Parse(Value).RootElement.EnumerateArray().Select(e => e.Deserialize(ContractsJsonContext.Default.GameEventEnvelope)!)]
        : [Envelope];
}

/// <summary>Reads a whole topic, every partition from the beginning to its current end.</summary>
public static class KafkaTopicReader
{
    public static IReadOnlyList<KafkaRecord> ReadAll(string bootstrapServers, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => p.PartitionId).ToList();

        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"reader-{Guid.NewGuid():N}",
            EnablePartitionEof = true,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));

        var records = new List<KafkaRecord>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (atEnd.Count < partitions.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Reading {topic} did not reach the end of every partition");
            }

            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
                continue;
            }

            atEnd.Remove(result.Partition.Value);
            var traceParent = result.Message.Headers?.TryGetLastBytes("traceparent", out var bytes) == true ? System.Text.Encoding.UTF8.GetString(bytes) : null;
            records.Add(new KafkaRecord(result.Message.Key, result.Message.Value, result.Partition.Value, result.Offset.Value, traceParent));
        }

        return records;
    }
}
