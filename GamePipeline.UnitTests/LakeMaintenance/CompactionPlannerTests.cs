using GamePipeline.Lake.Delta;
using LakeMaintenance;

namespace GamePipeline.Tests.LakeMaintenance;

public sealed class CompactionPlannerTests
{
    private const long KiB = 1024, MiB = 1024 * KiB;
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly CompactionPolicy Policy = new(TargetFileBytes: 128 * MiB, TargetFileRows: 4_000_000, FilesPerTier: 10, QuietPeriod: TimeSpan.FromSeconds(60));

    private static int _next;

    private static DeltaFile File(long size, string dt = "2026-12-07", long rows = 100, TimeSpan? age = null) => new(
        $"dt={dt}/part-{Interlocked.Increment(ref _next):D6}.parquet",
        new Dictionary<string, string?> { ["dt"] = dt },
        size,
        (Now - (age ?? TimeSpan.FromSeconds(1))).ToUnixTimeMilliseconds(),
        $$"""{"numRecords":{{rows}}}""");

    private static IReadOnlyList<CompactionBin> Plan(IEnumerable<DeltaFile> files, CompactionPolicy? policy = null) =>
        CompactionPlanner.Plan(files, "dt", Now, policy ?? Policy);

    [Fact]
    public void A_partition_being_written_waits_until_a_size_tier_holds_enough_files()
    {
        var nine = Enumerable.Range(0, 9).Select(_ => File(10 * KiB)).ToList();

        Assert.Empty(Plan(nine));
        var bin = Assert.Single(Plan([.. nine, File(10 * KiB)]));
        Assert.Equal(10, bin.Files.Count);
        Assert.Equal(1000, bin.Rows);
    }

    [Fact]
    public void Only_the_full_tier_is_merged_so_a_merged_file_is_not_rewritten_with_every_few_new_ones()
    {
        var merged = Enumerable.Range(0, 3).Select(_ => File(5 * MiB)).ToList();
        var fresh = Enumerable.Range(0, 10).Select(_ => File(20 * KiB)).ToList();

        var bin = Assert.Single(Plan([.. merged, .. fresh]));

        Assert.Equal(fresh.Select(f => f.Path).Order(), bin.Files.Select(f => f.Path).Order());
    }

    [Fact]
    public void A_quiet_partition_has_all_its_small_files_merged_and_a_file_near_the_target_left_alone()
    {
        var quiet = TimeSpan.FromMinutes(2);
        var big = File(120 * MiB, age: quiet);
        var small = new[] { File(3 * MiB, age: quiet), File(10 * KiB, age: quiet), File(200 * KiB, age: quiet) };

        var bin = Assert.Single(Plan([big, .. small]));

        Assert.Equal(small.Select(f => f.Path).Order(), bin.Files.Select(f => f.Path).Order());
        Assert.Empty(Plan([big, File(1 * MiB, age: quiet)]));
    }

    [Fact]
    public void Bins_stop_at_the_target_size_and_rows_and_a_bin_of_one_file_is_no_work()
    {
        var policy = Policy with { TargetFileBytes = 100 * KiB, TargetFileRows = 1_000, QuietPeriod = TimeSpan.Zero };

        var bySize = Plan(Enumerable.Range(0, 5).Select(_ => File(40 * KiB)), policy);
        Assert.Equal([2, 2], bySize.Select(b => b.Files.Count));

        var byRows = Plan(Enumerable.Range(0, 6).Select(_ => File(1 * KiB, rows: 300)), policy);
        Assert.Equal([3, 3], byRows.Select(b => b.Files.Count));
    }

    [Fact]
    public void Each_date_partition_is_planned_on_its_own()
    {
        var quietDay = Enumerable.Range(0, 3).Select(_ => File(10 * KiB, dt: "2026-12-06", age: TimeSpan.FromHours(1)));
        var busyDay = Enumerable.Range(0, 3).Select(_ => File(10 * KiB, dt: "2026-12-07"));

        var bin = Assert.Single(Plan([.. quietDay, .. busyDay]));

        Assert.Equal("2026-12-06", bin.PartitionValue);
        Assert.All(bin.Files, f => Assert.Equal("2026-12-06", f.PartitionValues["dt"]));
    }
}
