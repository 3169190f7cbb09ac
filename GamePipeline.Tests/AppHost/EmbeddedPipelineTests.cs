using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Confluent.Kafka;
using GamePipeline.Contracts;
using GamePipeline.Tests.Infrastructure;

namespace GamePipeline.Tests.AppHost;

[Collection(PipelineAppCollection.Name)]
public sealed class EmbeddedPipelineTests(PipelineAppFixture pipeline)
{
    [Fact]
    public async Task Kafka_and_every_service_become_healthy()
    {
        await pipeline.WaitHealthyAsync(ResourceNames.Kafka);
        await pipeline.WaitHealthyAsync(ResourceNames.GameApi);
        await pipeline.WaitHealthyAsync(ResourceNames.StreamWriter);
        await pipeline.WaitHealthyAsync(ResourceNames.AnalyticsApi);
    }

    [Fact]
    public async Task Catalog_setup_runs_to_completion_with_exit_code_zero()
    {
        var finished = await pipeline.WaitForStateAsync(ResourceNames.CatalogSetup, KnownResourceStates.Finished);

        Assert.Equal(0, finished.Snapshot.ExitCode);
    }

    [Fact]
    public async Task Kafka_resource_shows_its_bootstrap_address_and_topics()
    {
        var running = await pipeline.WaitForStateAsync(ResourceNames.Kafka, KnownResourceStates.Running);

        var properties = running.Snapshot.Properties.ToDictionary(p => p.Name, p => p.Value?.ToString());
        Assert.Equal(pipeline.KafkaBootstrap, properties["kafka.bootstrap"]);
        Assert.Contains($"{Topics.Events}:", properties["kafka.topics"]);
        Assert.Contains(running.Snapshot.Urls, u => u.Url == $"tcp://{pipeline.KafkaBootstrap}");
    }

    [Fact]
    public async Task Kcat_lists_the_events_topic_and_reads_back_a_message_through_the_bootstrap_address()
    {
        var marker = $"kcat-{Guid.NewGuid():N}";
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = pipeline.KafkaBootstrap }).Build())
        {
            await producer.ProduceAsync(Topics.Events, new Message<string, string> { Key = marker, Value = $$"""{"marker":"{{marker}}"}""" });
        }

        var listing = await ExternalProcess.RunAsync("kcat", ["-b", pipeline.KafkaBootstrap, "-L", "-J"], TimeSpan.FromSeconds(30));
        Assert.True(listing.ExitCode == 0, listing.StandardError);
        using var metadata = JsonDocument.Parse(listing.StandardOutput);
        var events = metadata.RootElement.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic").GetString() == Topics.Events);
        Assert.Equal(4, events.GetProperty("partitions").GetArrayLength());

        var read = await ExternalProcess.RunAsync(
            "kcat", ["-b", pipeline.KafkaBootstrap, "-t", Topics.Events, "-C", "-o", "beginning", "-e", "-q", "-f", "%k %s\\n"],
            TimeSpan.FromSeconds(30));
        Assert.True(read.ExitCode == 0, read.StandardError);
        Assert.Contains($$"""{{marker}} {"marker":"{{marker}}"}""", read.StandardOutput);
    }
}
