using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using LakeMaintenance;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GamePipeline.Tests.LakeMaintenance;

/// <summary>Vacuum and log cleanup delete only what no snapshot within the retention needs, and nothing foreign.</summary>
public sealed class VacuumTests() : KafkaAndLake(partitions: 2)
{
    [Fact]
    public async Task Vacuum_keeps_every_file_a_retained_snapshot_needs_and_after_the_retention_deletes_removed_and_orphaned_files_but_no_foreign_one()
    {
        var produced = new List<string>();
        await using (var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "vacuum", new Dictionary<string, string?> { ["StreamWriter:CheckpointInterval"] = "2" }))
        {
            using var waiting = new LakeQuery(Lake);
            produced.AddRange(await TestEvents.ProduceInRoundsAsync(Kafka.BootstrapServers, 4, 20, waiting.CountAllEvents));
        }

        var table = LakeTables.SwordPurchases;
        var folder = Path.Combine(Lake, table.Name);
        using var lake = new LakeQuery(Lake);
        var beforeCompaction = lake.Snapshot(table.Name)!;
        var rows = lake.Count(table.Name);
        var options = new LakeMaintenanceOptions { QuietPeriod = TimeSpan.Zero, VacuumRetention = TimeSpan.FromHours(1), LogRetention = TimeSpan.FromHours(1.5), CheckpointInterval = 2 };
        Assert.Equal(1, (await MaintenanceHosts.Create(Lake, options).CompactAsync(table, CancellationToken.None)).Commits);
        var removed = beforeCompaction.Files.Select(f => Path.Combine(folder, f.StoragePath)).ToList();
        var live = Path.Combine(folder, Assert.Single(lake.Snapshot(table.Name)!.Files).StoragePath);

        // A file of a commit that never happened (its writer died), from long ago; one being written right now; a
        // file the project did not write, from long ago.
        var partition = Path.GetDirectoryName(live)!;
        var orphan = Path.Combine(partition, $"part-events-p0000-e0000-{0:D19}-{9:D19}-{Guid.NewGuid():N}.parquet");
        var inFlight = Path.Combine(partition, $"part-events-p0001-e0000-{0:D19}-{9:D19}-{Guid.NewGuid():N}.parquet");
        var foreign = Path.Combine(partition, "exported-by-hand.parquet");
        foreach (var file in new[] { orphan, inFlight, foreign })
        {
            File.Copy(removed[0], file);
        }

        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddHours(-2));
        File.SetLastWriteTimeUtc(foreign, DateTime.UtcNow.AddHours(-2));

        // Now: every snapshot is within the retention, so only the old orphan goes.
        var now = await MaintenanceHosts.Create(Lake, options).VacuumAsync(table.Name, CancellationToken.None);

        Assert.Equal(1, now.DataFilesDeleted);
        Assert.False(File.Exists(orphan));
        Assert.All([.. removed, live, inFlight, foreign], file => Assert.True(File.Exists(file), file));
        Assert.Equal(rows, lake.Count(table.Name, beforeCompaction.Version));

        // Two hours on: the snapshot at the retention's edge is the latest; what it does not list is deleted, and the
        // log before the newest checkpoint within the log retention goes too.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2));
        var afterRetention = await MaintenanceHosts.Create(Lake, options, later).VacuumAsync(table.Name, CancellationToken.None);

        Assert.Equal(removed.Count + 1, afterRetention.DataFilesDeleted);
        Assert.All([.. removed, inFlight], file => Assert.False(File.Exists(file), file));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(foreign), "a file no writer of the project made was deleted");
        Assert.Equal(rows, lake.Count(table.Name));
        var listing = await new DeltaLog(new LocalLakeStorage(Lake), table.Name).ListAsync(CancellationToken.None);
        var checkpoint = listing.Checkpoints.Keys.Single();
        Assert.Equal(checkpoint, listing.Commits.Min);
        Assert.True(afterRetention.LogFilesDeleted >= checkpoint);
        var gone = await Assert.ThrowsAsync<DeltaTableException>(() => new DeltaLog(new LocalLakeStorage(Lake), table.Name).ReadAsync(0));
        Assert.Equal(DeltaReadFailure.MissingVersion, gone.Failure);
    }

    [Theory]
    [InlineData("basic-with-inserts-deletes-checkpoint", 13, 41)]
    [InlineData("snapshot-data2-deleted", 4, 20)]
    [InlineData("multi-part-checkpoint", 1, 31)]
    public async Task Tables_spark_wrote_still_read_the_same_after_vacuum_and_log_cleanup_long_past_every_retention(string golden, long version, long rows)
    {
        var lake = Directory.CreateTempSubdirectory("vacuum-golden-").FullName;
        try
        {
            CopyDirectory(Path.Combine(Repository.Root, "testdata", "delta", "golden-tables", golden), Path.Combine(lake, golden));
            var files = Directory.GetFiles(Path.Combine(lake, golden), "*.parquet", SearchOption.AllDirectories).Where(f => !f.Contains("_delta_log", StringComparison.Ordinal)).ToList();
            var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddYears(10));

            await MaintenanceHosts.Create(lake, new LakeMaintenanceOptions(), later).VacuumAsync(golden, CancellationToken.None);

            Assert.All(files, file => Assert.True(File.Exists(file), $"{file}: no writer of the project names a file so"));
            var summary = await DeltaTableSummary.ReadAsync(new LocalLakeStorage(lake), golden, null, CancellationToken.None);
            Assert.Equal((version, rows), (summary.Version, summary.Rows));
        }
        finally
        {
            Directory.Delete(lake, recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public async Task On_a_disk_that_refuses_writes_maintenance_reports_unhealthy_retries_and_leaves_the_table_as_it_was_then_catches_up()
    {
        await using (var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "readonly"))
        {
            using var waiting = new LakeQuery(Lake);
            var produced = new List<string>();
            produced.AddRange(await TestEvents.ProduceInRoundsAsync(Kafka.BootstrapServers, 2, 20, waiting.CountAllEvents, _ => "user1.example.com"));
        }

        var table = LakeTables.SwordPurchases;
        using var lake = new LakeQuery(Lake);
        var before = lake.Snapshot(table.Name)!;
        Assert.True(before.FileCount > 1);
        var storage = new ReadOnlyWhileAsked(new LocalLakeStorage(Lake)) { ReadOnly = true };
        var options = new LakeMaintenanceOptions { Interval = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(400), QuietPeriod = TimeSpan.Zero };
        var health = new MaintenanceHealth();
        using var worker = new MaintenanceWorker(MaintenanceHosts.Create(storage, options), health, storage, Options.Create(options), TimeProvider.System, NullLogger<MaintenanceWorker>.Instance);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => health.Failing, TimeSpan.FromSeconds(10), () => "never unhealthy");
            await Task.Delay(1000);
            Assert.True(storage.RefusedWrites >= 3, $"{storage.RefusedWrites} writes tried: no retries");
            var during = lake.Snapshot(table.Name)!;
            Assert.Equal(before.Version, during.Version);
            Assert.Equal(before.Files.Select(f => f.Path), during.Files.Select(f => f.Path));

            storage.ReadOnly = false;
            await Eventually.TrueAsync(() => lake.Snapshot(table.Name)!.FileCount == 1, TimeSpan.FromSeconds(10), () => $"{lake.Snapshot(table.Name)!.FileCount} files");
            await Eventually.TrueAsync(() => !health.Failing, TimeSpan.FromSeconds(10), () => "never healthy again");
            Assert.Equal(lake.Count(table.Name, before.Version), lake.Count(table.Name));
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    private sealed class ReadOnlyWhileAsked(ILakeStorage inner) : DelegatingLakeStorage(inner)
    {
        private int _refused;

        public bool ReadOnly { get; set; }

        public int RefusedWrites => _refused;

        public override Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken) =>
            ReadOnly ? Refuse(path) : base.WriteAsync(path, write, cancellationToken);

        public override Task<bool> TryPublishAsync(string from, string to, CancellationToken cancellationToken) =>
            ReadOnly ? Refuse(to).ContinueWith(_ => false, TaskScheduler.Default) : base.TryPublishAsync(from, to, cancellationToken);

        public override Task DeleteAsync(string path, CancellationToken cancellationToken) =>
            ReadOnly ? Refuse(path) : base.DeleteAsync(path, cancellationToken);

        private Task Refuse(string path)
        {
            Interlocked.Increment(ref _refused);
            return Task.FromException(new IOException($"Read-only file system: {path}"));
        }
    }
}
