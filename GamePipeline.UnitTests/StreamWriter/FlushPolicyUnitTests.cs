using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using StreamWriter;
using StreamWriter.Writing;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>
/// The flush policy against a fake clock: each case docs/streamwriter.md's "Flush policy" names. Defaults:
/// FlushInterval 1 s, BacklogFlushInterval 10 s.
/// </summary>
public sealed class FlushPolicyUnitTests
{
    private static readonly StreamWriterOptions Options = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly FlushPolicy _policy;

    public FlushPolicyUnitTests() => _policy = new FlushPolicy(Options, _clock);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    /// <summary>A partition with records produced <paramref name="producedAgo"/>, read up to <paramref name="next"/> of <paramref name="high"/>.</summary>
    private PartitionState Partition(int partition = 0, long next = 100, long high = 100, TimeSpan? producedAgo = null, TimeSpan? age = null, bool empty = false, bool inFlight = false, bool backlogged = false) =>
        new(partition, next, high, Now - (producedAgo ?? TimeSpan.FromMilliseconds(50)), age ?? TimeSpan.FromMilliseconds(500), empty, inFlight, backlogged);

    private FlushDecision Decide(bool readingInGroups = false, bool overBudget = false, params PartitionState[] partitions) =>
        _policy.Decide(partitions, readingInGroups, overBudget);

    public static TheoryData<string, double, bool> LiveStream => new()
    {
        { "a batch younger than a flush interval waits", 0.5, false },
        { "a batch a flush interval old is committed", 1.0, true },
        { "an older one too", 3.0, true },
    };

    [Theory]
    [MemberData(nameof(LiveStream))]
    public void A_partition_the_writer_keeps_up_with_is_committed_once_its_batch_is_a_flush_interval_old(string why, double ageSeconds, bool committed)
    {
        var decision = Decide(partitions: Partition(next: 90, high: 100, age: TimeSpan.FromSeconds(ageSeconds)));

        Assert.Empty(decision.Behind);
        Assert.True(committed == decision.Commit.Contains(0), why);
    }

    [Fact]
    public void A_partition_behind_grows_its_batch_past_the_flush_interval_until_the_backlog_interval()
    {
        var old = TimeSpan.FromMinutes(5);

        var growing = Decide(partitions: Partition(next: 1_000, high: 500_000, producedAgo: old, age: TimeSpan.FromSeconds(3)));
        var due = Decide(partitions: Partition(next: 2_000, high: 500_000, producedAgo: old, age: Options.BacklogFlushInterval));

        Assert.Equal([0], growing.Behind);
        Assert.Empty(growing.Commit);
        Assert.Equal([0], due.Commit);
    }

    [Fact]
    public void A_backlogged_partition_read_to_its_end_is_committed_at_once()
    {
        var decision = Decide(partitions: Partition(next: 500_000, high: 500_000, producedAgo: TimeSpan.FromMinutes(5), age: TimeSpan.FromMilliseconds(10), backlogged: true));

        Assert.Empty(decision.Behind);
        Assert.Equal([0], decision.Commit);
    }

    [Fact]
    public void A_backlog_read_in_one_go_before_any_check_saw_it_behind_is_committed_once_read_to_its_end()
    {
        var oldRecords = Decide(partitions: Partition(next: 2_000, high: 2_000, producedAgo: TimeSpan.FromHours(1), age: TimeSpan.FromMilliseconds(30)));
        var freshRecords = Decide(partitions: Partition(partition: 1, next: 2_000, high: 2_000, producedAgo: TimeSpan.FromMilliseconds(30), age: TimeSpan.FromMilliseconds(30)));
        var oldNotAtEnd = Decide(partitions: Partition(partition: 2, next: 1_990, high: 2_000, producedAgo: TimeSpan.FromHours(1), age: TimeSpan.FromMilliseconds(30)));

        Assert.Equal([0], oldRecords.Commit);
        Assert.Empty(freshRecords.Commit);
        Assert.Empty(oldNotAtEnd.Commit);
    }

    [Fact]
    public void Over_the_memory_budget_every_batch_is_committed_but_empty_ones_and_those_already_committing()
    {
        var decision = Decide(overBudget: true, partitions:
        [
            Partition(partition: 0, next: 1_000, high: 500_000, producedAgo: TimeSpan.FromMinutes(5), age: TimeSpan.FromMilliseconds(10)),
            Partition(partition: 1, age: TimeSpan.FromMilliseconds(10)),
            Partition(partition: 2, empty: true),
            Partition(partition: 3, inFlight: true, age: TimeSpan.FromMinutes(1)),
        ]);

        Assert.Equal([0, 1], decision.Commit);
    }

    [Fact]
    public void Read_in_groups_a_partition_behind_becomes_backlogged_and_one_caught_up_is_committed_at_once()
    {
        var decision = Decide(readingInGroups: true, partitions:
        [
            Partition(partition: 0, next: 1_000, high: 500_000, producedAgo: TimeSpan.FromMinutes(5), age: TimeSpan.FromSeconds(2)),
            Partition(partition: 1, next: 500_000, high: 500_000, producedAgo: TimeSpan.FromMinutes(5), age: TimeSpan.FromMilliseconds(10)),
        ]);

        Assert.Equal([0], decision.NowBacklogged);
        Assert.Equal([1], decision.Commit);
    }

    [Fact]
    public void Without_a_fetch_yet_a_partition_counts_as_read_to_its_end()
    {
        var decision = Decide(partitions: Partition(next: 0, high: Offset.Unset.Value, producedAgo: TimeSpan.FromMinutes(5)));

        Assert.Empty(decision.Behind);
    }

    [Fact]
    public void Within_the_marker_slack_a_partition_is_at_its_end_only_once_nothing_more_was_read_for_a_moment()
    {
        var old = TimeSpan.FromMinutes(5);
        var nearEnd = Partition(next: 95, high: 100, producedAgo: old);

        var first = Decide(partitions: nearEnd);
        _clock.Advance(FlushPolicy.QuietAtEnd / 2);
        var tooSoon = Decide(partitions: nearEnd with { NewestKafkaTime = Now - old });
        _clock.Advance(FlushPolicy.QuietAtEnd);
        var quiet = Decide(partitions: nearEnd with { NewestKafkaTime = Now - old });

        Assert.Equal([0], first.Behind);
        Assert.Equal([0], tooSoon.Behind);
        Assert.Empty(quiet.Behind);
    }

    [Fact]
    public void Within_the_marker_slack_a_high_watermark_that_moved_means_a_live_stream_trailed_by_a_moment()
    {
        var old = TimeSpan.FromMinutes(5);
        Decide(partitions: Partition(next: 95, high: 100, producedAgo: old));

        var moved = Decide(partitions: Partition(next: 96, high: 101, producedAgo: old));

        Assert.Empty(moved.Behind);
    }

    [Fact]
    public void A_partition_read_to_its_end_less_than_a_flush_interval_ago_still_keeps_up_though_its_records_are_old()
    {
        var old = TimeSpan.FromMinutes(5);
        Decide(partitions: Partition(next: 100, high: 100, producedAgo: old));
        _clock.Advance(Options.FlushInterval / 2);

        var shortlyAfter = Decide(partitions: Partition(next: 150, high: 400, producedAgo: old));
        _clock.Advance(Options.FlushInterval);
        var later = Decide(partitions: Partition(next: 200, high: 400, producedAgo: old));

        Assert.Empty(shortlyAfter.Behind);
        Assert.Equal([0], later.Behind);
    }

    [Fact]
    public void After_a_quiet_spell_a_partition_not_read_yet_is_judged_by_the_newest_record_read_from_any()
    {
        var decision = Decide(partitions:
        [
            Partition(partition: 0, next: 10, high: 400, producedAgo: TimeSpan.FromMilliseconds(100)),
            Partition(partition: 1, next: 0, high: 400, empty: true) with { NewestKafkaTime = default },
        ]);

        Assert.Empty(decision.Behind);
    }

    [Fact]
    public void A_forgotten_partition_starts_over_without_its_last_check()
    {
        var old = TimeSpan.FromMinutes(5);
        Decide(partitions: Partition(next: 100, high: 100, producedAgo: old));
        _policy.Forget(0);
        _clock.Advance(Options.FlushInterval / 2);

        var afterward = Decide(partitions: Partition(next: 150, high: 400, producedAgo: old));

        Assert.Equal([0], afterward.Behind);
    }

    public static TheoryData<string, bool, double, long, bool> BacklogAfterCommit => new()
    {
        { "a backlogged batch of old records committed short of the watermark", true, 300, 1_000, true },
        { "not backlogged", false, 300, 1_000, false },
        { "its records are fresh", true, 0.1, 1_000, false },
        { "read to the watermark", true, 300, 100, false },
    };

    [Theory]
    [MemberData(nameof(BacklogAfterCommit))]
    public void The_backlog_continues_past_a_committed_batch_only_while_old_records_remain_to_read(string why, bool backlogged, double producedSecondsAgo, long high, bool continues)
    {
        var committed = Partition(next: 100, high: high, producedAgo: TimeSpan.FromSeconds(producedSecondsAgo), backlogged: backlogged);

        Assert.True(continues == _policy.BacklogContinues(committed), why);
    }
}
