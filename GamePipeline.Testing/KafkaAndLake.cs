using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;

namespace GamePipeline.Testing;

/// <summary>A test's own embedded Kafka (topic <c>events</c>) and its own lake directory.</summary>
public abstract class KafkaAndLake(int partitions) : IAsyncLifetime
{
    protected string Lake { get; } = Directory.CreateTempSubdirectory("lake-").FullName;

    protected EmbeddedKafkaServer Kafka { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Kafka = EmbeddedKafkaServer.Start(port: 0, topics: [new EmbeddedKafkaTopic(Topics.Events, partitions)], groupSessionTimeout: WriterSettings.SessionTimeout);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Kafka.DisposeAsync();
        Directory.Delete(Lake, recursive: true);
    }
}
