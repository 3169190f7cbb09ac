using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Confluent.Kafka;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.AppHost;

[Collection(PipelineAppCollection.Name)]
public sealed class EmbeddedPipelineTests(PipelineAppFixture pipeline)
{
    /// <summary>Waits until GameApi, StreamWriter and AnalyticsApi are healthy; returns GameApi's address.</summary>
    private async Task<Uri> WhenServingAsync()
    {
        await pipeline.WaitHealthyAsync(ResourceNames.GameApi);
        await pipeline.WaitHealthyAsync(ResourceNames.StreamWriter);
        await pipeline.WaitHealthyAsync(ResourceNames.AnalyticsApi);
        return pipeline.App.GetEndpoint(ResourceNames.GameApi, "http");
    }

    [Fact]
    public async Task Kafka_and_every_service_become_healthy()
    {
        await pipeline.WaitHealthyAsync(ResourceNames.Kafka);
        await pipeline.WaitHealthyAsync(ResourceNames.GameApi);
        await pipeline.WaitHealthyAsync(ResourceNames.StreamWriter);
        await pipeline.WaitHealthyAsync(ResourceNames.AnalyticsApi);
        await pipeline.WaitHealthyAsync(ResourceNames.LakeMaintenance);
    }

    [Fact]
    public async Task Catalog_setup_runs_to_completion_with_exit_code_zero()
    {
        var finished = await pipeline.WaitForStateAsync(ResourceNames.CatalogSetup, KnownResourceStates.Finished);

        Assert.Equal(0, finished.Snapshot.ExitCode);
    }

    [Fact]
    public async Task Services_run_as_their_built_assemblies_without_a_dotnet_run_process_beside_each()
    {
        await pipeline.WaitHealthyAsync(ResourceNames.StreamWriter);
        var processes = Directory.EnumerateDirectories("/proc")
            .Select(directory => (Directory: directory, Arguments: ReadNulSeparated(Path.Combine(directory, "cmdline"))))
            .ToList();

        var project = Path.Combine(Repository.Root, "StreamWriter", "StreamWriter.csproj");
        Assert.DoesNotContain(processes, p => p.Arguments.Contains("run") && p.Arguments.Contains(project));
        var ours = processes.Where(p => p.Arguments is [var host, var assembly] && Path.GetFileNameWithoutExtension(host) == "dotnet"
            && assembly == Repository.ServiceAssembly("StreamWriter")
            && ReadNulSeparated(Path.Combine(p.Directory, "environ")).Contains($"ConnectionStrings__lake={pipeline.LakePath}"));
        Assert.Single(ours);

        static string[] ReadNulSeparated(string file)
        {
            try
            {
                return File.ReadAllText(file).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return []; // the process ended, or is not ours to read
            }
        }
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
        foreach (var (path, host) in new[] { ("/purchase_a_sword", "e2e-user2.att.com"), ("/join_the_guild", "e2e-user3.gogov.com"), ("/", "e2e-user1.comcast.com") })
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
        Assert.Equal("e2e-user2.att.com", sword.Key);
        Assert.Equal("e2e-user2.att.com", sword.Event.GetProperty("host").GetString());
        Assert.Equal(marker, sword.Event.GetProperty("user_agent").GetString());
        Assert.Equal("route", sword.Event.GetProperty("source").GetString());
        Assert.True(Guid.TryParse(sword.Event.GetProperty("event_id").GetString(), out _));
        Assert.True(sword.Event.GetProperty("received_at").TryGetDateTimeOffset(out _));
        Assert.Equal(marker, sword.Event.GetProperty("headers").GetProperty("User-Agent").GetString());
        Assert.Contains(events, e => e.Event.GetProperty("event_type").GetString() == GameEventTypes.JoinGuild && e.Key == "e2e-user3.gogov.com");
        Assert.Contains(events, e => e.Event.GetProperty("event_type").GetString() == GameEventTypes.Default && e.Key == "e2e-user1.comcast.com");
    }

    [Fact]
    public async Task The_seeds_ab_scenario_ends_in_exactly_the_expected_counts_per_host_for_each_table_and_in_the_report()
    {
        var gameApi = await WhenServingAsync();
        using var analytics = pipeline.App.CreateHttpClient(ResourceNames.AnalyticsApi, "http");

        var ab = await ExternalProcess.RunAsync("bash", [Path.Combine(Repository.Root, "scripts", "ab.sh"), "2", gameApi.ToString()], TimeSpan.FromMinutes(2));
        Assert.True(ab.ExitCode == 0, ab.StandardOutput + ab.StandardError);
        Assert.Contains("total: sent 450, 2xx 450", ab.StandardOutput);

        // Two loops of the seed's scenario: per host 10/20/30, 15/25/35, 20/30/40 requests, twice.
        var expected = new Dictionary<string, (string Host, long Count)[]>
        {
            ["default_events"] = [("user3.gogov.com", 40), ("user2.att.com", 30), ("user1.comcast.com", 20)],
            ["sword_purchases"] = [("user3.gogov.com", 60), ("user2.att.com", 50), ("user1.comcast.com", 40)],
            ["join_guilds"] = [("user3.gogov.com", 80), ("user2.att.com", 70), ("user1.comcast.com", 60)],
        };
        async Task<Dictionary<string, (string Host, long Count)[]>> ActualAsync()
        {
            var actual = new Dictionary<string, (string Host, long Count)[]>();
            foreach (var table in expected.Keys)
            {
                var hosts = await analytics.GetFromJsonAsync<JsonElement>($"/api/tables/{table}/hosts");
                actual[table] = [.. hosts.EnumerateArray()
                    .Select(h => (h.GetProperty("host").GetString() ?? "", h.GetProperty("count").GetInt64()))
                    .Where(h => h.Item1.StartsWith("user", StringComparison.Ordinal))];
            }

            return actual;
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        var actual = await ActualAsync();
        while (!expected.All(e => actual[e.Key].SequenceEqual(e.Value)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            actual = await ActualAsync();
        }

        foreach (var (table, hosts) in expected)
        {
            Assert.Equal(hosts, actual[table]);
        }

        // Each row keeps the trace of the HTTP request that produced it (traceparent carried through Kafka).
        using (var lake = new LakeQuery(pipeline.LakePath))
        {
            var untraced = lake.Scalar<long>($"SELECT COUNT(*) FROM {lake.Source("sword_purchases")} WHERE host LIKE 'user%' AND (trace_id IS NULL OR length(trace_id) <> 32)");
            Assert.Equal(0, untraced);
        }

        var report = await analytics.GetStringAsync("/report");
        foreach (var (table, hosts) in expected)
        {
            var card = report[report.IndexOf($"data-hosts=\"{table}\"", StringComparison.Ordinal)..];
            card = card[..card.IndexOf("</div>", StringComparison.Ordinal)];
            foreach (var (host, count) in hosts)
            {
                Assert.Contains($"{host}: {count}", card);
            }
        }
    }

    [Fact]
    public async Task Apache_Bench_repeating_one_Idempotency_Key_records_one_event_and_the_report_counts_the_retries()
    {
        var gameApi = await WhenServingAsync();
        using var analytics = pipeline.App.CreateHttpClient(ResourceNames.AnalyticsApi, "http");
        var host = $"e2e-retries-{Guid.NewGuid():N}.example";

        // 20 requests, 4 at a time, all one purchase: the retries of a client that never heard back.
        var ab = await ExternalProcess.RunAsync("ab", ["-q", "-n", "20", "-c", "4", "-H", $"Host: {host}", "-H", $"Idempotency-Key: {Guid.NewGuid()}", new Uri(gameApi, "/purchase_a_sword").ToString()], TimeSpan.FromMinutes(1));
        Assert.True(ab.ExitCode == 0, ab.StandardOutput + ab.StandardError);
        Assert.Contains("Complete requests:      20", ab.StandardOutput);
        Assert.Contains("Failed requests:        0", ab.StandardOutput);

        using var lake = new LakeQuery(pipeline.LakePath);
        long Copies(string table) => lake.HasFiles(table) ? lake.Scalar<long>($"SELECT COUNT(*) FROM {lake.Source(table)} WHERE host = '{host}'") : 0;
        await Eventually.TrueAsync(() => Copies(LakeTables.DuplicateEvents.Name) == 19, TimeSpan.FromSeconds(30), () => $"{Copies(LakeTables.DuplicateEvents.Name)} of 19 duplicates");
        Assert.Equal(1, Copies(LakeTables.SwordPurchases.Name));

        var duplicates = await analytics.GetFromJsonAsync<JsonElement>("/api/duplicates");
        Assert.True(duplicates.EnumerateArray().Single(d => d.GetProperty("table").GetString() == "sword_purchases").GetProperty("duplicates").GetInt64() >= 19);
        Assert.Contains("data-duplicates=\"sword_purchases\"", await analytics.GetStringAsync("/report"), StringComparison.Ordinal);
    }
}
