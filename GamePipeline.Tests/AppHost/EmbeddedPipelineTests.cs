using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
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

    [Fact]
    public async Task Events_sent_through_GameApi_are_read_back_from_kafka_by_kcat_with_the_expected_fields()
    {
        await pipeline.WaitHealthyAsync(ResourceNames.GameApi);
        using var http = pipeline.App.CreateHttpClient(ResourceNames.GameApi, "http");
        var marker = $"e2e-{Guid.NewGuid():N}";
        foreach (var (path, host) in new[] { ("/purchase_a_sword", "user2.att.com"), ("/join_the_guild", "user3.gogov.com"), ("/", "user1.comcast.com") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = host;
            request.Headers.UserAgent.ParseAdd(marker);
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
        }

        var read = await ExternalProcess.RunAsync(
            "kcat", ["-b", pipeline.KafkaBootstrap, "-t", Topics.Events, "-C", "-o", "beginning", "-e", "-q", "-J"],
            TimeSpan.FromSeconds(30));
        Assert.True(read.ExitCode == 0, read.StandardError);

        var events = read.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(m => m.GetProperty("payload").GetString()!.Contains(marker))
            .Select(m => (Key: m.GetProperty("key").GetString(), Event: JsonDocument.Parse(m.GetProperty("payload").GetString()!).RootElement))
            .ToList();
        Assert.Equal(3, events.Count);
        var sword = Assert.Single(events, e => e.Event.GetProperty("event_type").GetString() == GameEventTypes.PurchaseSword);
        Assert.Equal("user2.att.com", sword.Key);
        Assert.Equal("user2.att.com", sword.Event.GetProperty("host").GetString());
        Assert.Equal(marker, sword.Event.GetProperty("user_agent").GetString());
        Assert.Equal("route", sword.Event.GetProperty("source").GetString());
        Assert.True(Guid.TryParse(sword.Event.GetProperty("event_id").GetString(), out _));
        Assert.True(sword.Event.GetProperty("received_at").TryGetDateTimeOffset(out _));
        Assert.Equal(marker, sword.Event.GetProperty("headers").GetProperty("User-Agent").GetString());
        Assert.Contains(events, e => e.Event.GetProperty("event_type").GetString() == GameEventTypes.JoinGuild && e.Key == "user3.gogov.com");
        Assert.Contains(events, e => e.Event.GetProperty("event_type").GetString() == GameEventTypes.Default && e.Key == "user1.comcast.com");
    }
}
