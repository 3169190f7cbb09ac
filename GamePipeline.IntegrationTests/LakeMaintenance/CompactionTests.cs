using System.Text.Json;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using LakeMaintenance;

namespace GamePipeline.Tests.LakeMaintenance;

/// <summary>Compaction committing beside a writer that appends every quarter second: readers never see a row twice or miss one.</summary>
public sealed class CompactionTests() : KafkaAndLake(partitions: 4)
{
    [Fact]
    public async Task Counts_read_while_the_writer_and_compaction_both_commit_never_go_down_never_exceed_what_was_produced_and_end_exact()
    {
        var options = new LakeMaintenanceOptions { FilesPerTier = 4, QuietPeriod = TimeSpan.FromSeconds(3), CheckpointInterval = 5 };
        var maintenance = MaintenanceHosts.Create(Lake, options);
        await using var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "compacted", new Dictionary<string, string?> { ["StreamWriter:FlushInterval"] = "00:00:00.250" });
        var stop = new CancellationTokenSource();
        var producing = TestEvents.ProduceWhileAsync(Kafka.BootstrapServers, Task.Delay(TimeSpan.FromSeconds(20)), perSecond: 400, hosts: 8);
        var compacting = Task.Run(async () =>
        {
            var commits = 0;
            while (!stop.IsCancellationRequested)
            {
                foreach (var table in LakeTables.Streamed)
                {
                    commits += (await maintenance.CompactAsync(table, CancellationToken.None)).Commits;
                }

                await Task.Delay(200);
            }

            return commits;
        });

        using var lake = new LakeQuery(Lake);
        var counts = new List<long>();
        while (!producing.IsCompleted)
        {
            counts.Add(lake.CountAllEvents());
            await Task.Delay(100);
        }

        var produced = await producing;
        await Eventually.TrueAsync(() => lake.CountAllEvents() >= produced.Count, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of {produced.Count}");
        // Once the partitions are quiet, compaction merges what is left of each into one file.
        await Eventually.TrueAsync(() => LakeTables.Streamed.All(t => lake.Snapshot(t.Name)!.FileCount <= 1), TimeSpan.FromSeconds(30),
            () => string.Join(", ", LakeTables.Streamed.Select(t => $"{t.Name}: {lake.Snapshot(t.Name)!.FileCount} files")));
        counts.Add(lake.CountAllEvents());
        stop.Cancel();
        var compactions = await compacting;

        Assert.True(compactions >= 3, $"only {compactions} compaction commits");
        Assert.Equal(counts.Order(), counts);
        Assert.True(counts.Max() <= produced.Count, $"a reader counted {counts.Max()} of {produced.Count} produced");
        var ids = lake.EventIds();
        Assert.Equal(produced.Count, ids.Count);
        Assert.True(produced.SetEquals(ids), "the lake's event ids differ from those produced");
        var table = lake.Snapshot(LakeTables.SwordPurchases.Name)!;
        var file = Assert.Single(table.Files);
        Assert.Matches("^dt=[0-9-]+/part-compacted-[0-9a-f]{32}\\.parquet$", file.Path);
        Assert.Equal(
            lake.Scalar<long>($"SELECT COUNT(*) FROM {lake.Source(table.Table)}"),
            lake.Scalar<long>($"SELECT COUNT(*) FROM (SELECT event_time, lag(event_time) OVER () AS before FROM read_parquet('{Path.Combine(Lake, table.Table, file.StoragePath)}')) WHERE before IS NULL OR before <= event_time"));
    }

    [Fact]
    public async Task A_compaction_is_one_commit_that_removes_its_inputs_and_adds_one_file_without_data_change_and_the_writer_keeps_appending_after_it()
    {
        var produced = new List<string>();
        await using (var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "before"))
        {
            using var waiting = new LakeQuery(Lake);
            produced.AddRange(await TestEvents.ProduceInRoundsAsync(Kafka.BootstrapServers, 3, 20, waiting.CountAllEvents));
        }

        var maintenance = MaintenanceHosts.Create(Lake, new LakeMaintenanceOptions { QuietPeriod = TimeSpan.Zero });
        using var lake = new LakeQuery(Lake);
        var before = lake.Snapshot("sword_purchases")!;
        Assert.True(before.FileCount > 1);

        var outcome = await maintenance.CompactAsync(LakeTables.SwordPurchases, CancellationToken.None);

        Assert.Equal((1, before.FileCount, 1), (outcome.Commits, outcome.FilesRemoved, outcome.FilesAdded));
        var commit = (await new DeltaLog(new LocalLakeStorage(Lake), "sword_purchases").ReadCommitAsync(before.Version + 1))!;
        Assert.Equal("OPTIMIZE", commit.Single(a => a.CommitInfo is not null).CommitInfo!.Operation);
        Assert.Equal(before.Files.Select(f => f.Path).Order(), commit.Where(a => a.Remove is not null).Select(a => a.Remove!.Path).Order());
        Assert.All(commit.Where(a => a.Remove is not null), a => Assert.False(a.Remove!.DataChange));
        var added = Assert.Single(commit, a => a.Add is not null).Add!;
        Assert.False(added.DataChange);
        Assert.Equal(lake.Count("sword_purchases", before.Version), JsonDocument.Parse(added.Stats!).RootElement.GetProperty("numRecords").GetInt64());
        Assert.Equal(lake.Count("sword_purchases", before.Version), lake.Count("sword_purchases"));

        // The writer appends after the compaction as before it, resuming from its transactions.
        await using (var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "after"))
        {
            produced.AddRange(await TestEvents.ProduceAsync(Kafka.BootstrapServers, 20, "user9.example.com"));
            await Eventually.TrueAsync(() => lake.CountAllEvents() == produced.Count, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of {produced.Count}");
        }

        Assert.Equal(produced.Order(), lake.EventIds().Order());
    }
}
