using Confluent.Kafka;
using GamePipeline.Contracts;
using GamePipeline.Hosting.Kafka;
using GamePipeline.Tests.Lake;

namespace GamePipeline.Tests.StreamWriter;

public sealed class ExactlyOnceTests() : KafkaAndLake(partitions: 4)
{
    private Task<HashSet<string>> ProduceWhileAsync(Task until, int perSecond) => TestEvents.ProduceWhileAsync(Kafka.BootstrapServers, until, perSecond);

    private async Task AssertLakeHoldsExactlyAsync(HashSet<string> produced, Action? refresh = null)
    {
        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => { refresh?.Invoke(); return lake.CountAllEvents() >= produced.Count; }, TimeSpan.FromSeconds(60),
            () => $"the lake holds {lake.CountAllEvents()} of {produced.Count} events");
        var ids = lake.EventIds();
        Assert.Equal(produced.Count, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(produced.SetEquals(ids), "the lake's event ids differ from those produced");
    }

    [Fact]
    public async Task After_repeated_SIGKILLs_while_events_flow_theLake_holds_every_event_exactly_once()
    {
        var killing = new TaskCompletionSource();
        var producing = ProduceWhileAsync(killing.Task, perSecond: 2_000);
        for (var round = 0; round < 4; round++)
        {
            using var writer = WriterProcess.Start(Kafka.BootstrapServers, Lake, $"killed-{round}");
            await Task.Delay(TimeSpan.FromMilliseconds(2_500 + 700 * round));
            writer.Kill();
        }

        killing.SetResult();
        var produced = await producing;
        using var survivor = WriterProcess.Start(Kafka.BootstrapServers, Lake, "survivor");
        await AssertLakeHoldsExactlyAsync(produced);
        await survivor.StopAsync();
        Assert.True(produced.Count > 10_000, $"only {produced.Count} events were produced");
    }

    [Fact]
    public async Task On_hdfs_over_webhdfs_SIGKILLs_and_namenode_failures_still_leave_every_event_exactly_once()
    {
        await using var hdfs = await FakeWebHdfs.StartAsync();
        var lake = hdfs.ConnectionString("/lake");
        var killing = new TaskCompletionSource();
        var producing = ProduceWhileAsync(killing.Task, perSecond: 1_000);
        for (var round = 0; round < 3; round++)
        {
            using var writer = WriterProcess.Start(Kafka.BootstrapServers, lake, $"hdfs-killed-{round}");
            if (round == 1)
            {
                // A namenode failover mid-stream: commits fail for a while, then go through.
                hdfs.FailNext(20, 503);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(3_000 + 700 * round));
            writer.Kill();
        }

        killing.SetResult();
        var produced = await producing;
        using var survivor = WriterProcess.Start(Kafka.BootstrapServers, lake, "hdfs-survivor");
        try
        {
            await AssertLakeHoldsExactlyAsync(produced, refresh: () => hdfs.CopyTablesTo("/lake", Lake));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nThe surviving writer logged:\n{survivor.Output}");
        }

        await survivor.StopAsync();
        Assert.True(produced.Count > 3_000, $"only {produced.Count} events were produced");
        Assert.Contains(hdfs.Files, f => f.StartsWith("/lake/sword_purchases/_delta_log/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_writers_share_the_partitions_and_one_stopping_mid_stream_loses_and_duplicates_nothing()
    {
        var stop = new TaskCompletionSource();
        var producing = ProduceWhileAsync(stop.Task, perSecond: 2_000);
        await using var first = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "first");
        var second = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "second");
        await Task.Delay(TimeSpan.FromSeconds(6));

        await second.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(6));
        stop.SetResult();

        await AssertLakeHoldsExactlyAsync(await producing);
        using var lake = new LakeQuery(Lake);
        var writers = LakeTables.Streamed.SelectMany(t => Directory.EnumerateFiles(Path.Combine(Lake, t.Name, "_delta_log"), "*.json"))
            .Select(File.ReadAllText).Select(json => json.Contains("\"writer\":\"first\"") ? "first" : json.Contains("\"writer\":\"second\"") ? "second" : "?").Distinct().ToList();
        Assert.Contains("first", writers);
        Assert.Contains("second", writers);
    }

    [Fact]
    public async Task A_kafka_that_restarted_empty_does_not_wedge_the_writer()
    {
        using (var producer = TestEvents.Producer(Kafka.BootstrapServers))
        {
            for (var i = 0; i < 300; i++)
            {
                producer.Produce(Topics.Events, TestEvents.Message(TestEvents.Create(i)));
            }

            producer.Flush(TimeSpan.FromSeconds(10));
        }

        await using (var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "before-restart"))
        {
            using var lake = new LakeQuery(Lake);
            await Eventually.TrueAsync(() => lake.CountAllEvents() == 300, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of 300");
        }

        // A new, empty cluster: its offsets start again at 0, below what the lake has recorded.
        await using var fresh = EmbeddedKafkaServer.Start(port: 0, topics: [new EmbeddedKafkaTopic(Topics.Events, 4)], groupSessionTimeout: WriterSettings.SessionTimeout);
        var after = new HashSet<string>();
        using (var producer = TestEvents.Producer(fresh.BootstrapServers))
        {
            for (var i = 0; i < 40; i++)
            {
                var envelope = TestEvents.Create(i, "after-restart");
                after.Add(envelope.EventId.ToString());
                await producer.ProduceAsync(Topics.Events, TestEvents.Message(envelope));
            }
        }

        await using var restarted = await WriterHost.StartAsync(fresh.BootstrapServers, Lake, "after-restart");
        using var query = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => query.CountAllEvents() == 340, TimeSpan.FromSeconds(30), () => $"{query.CountAllEvents()} of 340");
        Assert.Subset(query.EventIds().ToHashSet(), after);
    }
}
