using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using GamePipeline.Tests.Lake;
using LakeMaintenance;
using Microsoft.Extensions.Time.Testing;

namespace GamePipeline.Tests.LakeMaintenance;

/// <summary>Compaction and vacuum of tables on HDFS through WebHDFS (an in-process namenode and datanode), with the namenode failing.</summary>
public sealed class MaintenanceOnHdfsTests() : KafkaAndLake(partitions: 2)
{
    [Fact]
    public async Task Through_webhdfs_with_namenode_failures_compaction_commits_once_vacuum_deletes_what_it_replaced_and_every_event_is_there_once()
    {
        await using var hdfs = await FakeWebHdfs.StartAsync();
        var connection = hdfs.ConnectionString("/lake");
        var produced = new List<string>();
        await using (var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, connection, "hdfs"))
        {
            produced.AddRange(await TestEvents.ProduceInRoundsAsync(Kafka.BootstrapServers, 3, 20, () => Count(hdfs)));
        }

        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var storage = new WebHdfsLakeStorage(http, WebHdfsOptions.Parse(connection));
        var options = new LakeMaintenanceOptions { QuietPeriod = TimeSpan.Zero, VacuumRetention = TimeSpan.FromHours(1), LogRetention = TimeSpan.FromHours(1) };
        var table = LakeTables.SwordPurchases;
        var before = await new DeltaLog(storage, table.Name).ReadAsync();
        Assert.True(before.FileCount > 1);

        // The namenode fails the first calls: the pass fails and commits nothing; the next one compacts.
        hdfs.FailNext(40, 503);
        var failures = 0;
        CompactionOutcome? outcome = null;
        while (outcome is null)
        {
            try
            {
                outcome = await MaintenanceHosts.Create(storage, options).CompactAsync(table, CancellationToken.None);
            }
            catch (Exception e) when (e is WebHdfsException or IOException or HttpRequestException && ++failures < 50)
            {
            }
        }

        Assert.True(failures > 0, "the namenode's failures reached no pass");
        Assert.Equal(1, outcome.Commits);
        var after = await new DeltaLog(storage, table.Name).ReadAsync();
        Assert.Equal((before.Version + 1, 1), (after.Version, after.FileCount));

        var vacuumed = await MaintenanceHosts.Create(storage, options, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2))).VacuumAsync(table.Name, CancellationToken.None);

        Assert.True(vacuumed.DataFilesDeleted >= before.FileCount, $"{vacuumed.DataFilesDeleted} of the {before.FileCount} replaced files deleted");
        Assert.All(before.Files, f => Assert.DoesNotContain($"/lake/{table.Name}/{f.StoragePath}", hdfs.Files));
        Assert.Contains($"/lake/{table.Name}/{after.Files.Single().StoragePath}", hdfs.Files);
        using var lake = Local(hdfs, fresh: true);
        Assert.Equal(produced.Order(), lake.EventIds().Order());
    }

    private long Count(FakeWebHdfs hdfs)
    {
        using var lake = Local(hdfs);
        return lake.CountAllEvents();
    }

    private LakeQuery Local(FakeWebHdfs hdfs, bool fresh = false)
    {
        if (fresh)
        {
            Directory.Delete(Lake, recursive: true);
            Directory.CreateDirectory(Lake);
        }

        hdfs.CopyTablesTo("/lake", Lake);
        return new LakeQuery(Lake);
    }
}
