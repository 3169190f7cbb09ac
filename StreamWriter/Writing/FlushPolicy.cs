using Confluent.Kafka;

namespace StreamWriter.Writing;

/// <summary>What the flush policy sees of one partition's batch at a due check.</summary>
/// <param name="HighWatermark">The high watermark librdkafka last fetched (<see cref="Offset.Unset"/> before its first fetch).</param>
/// <param name="NewestKafkaTime">The Kafka timestamp of the last record read from the partition (default: none yet).</param>
/// <param name="BatchAge">How long the batch's first record has waited.</param>
/// <param name="InFlight">A commit of this partition is running (a partition has at most one).</param>
internal readonly record struct PartitionState(
    int Partition,
    long NextOffset,
    long HighWatermark,
    DateTime NewestKafkaTime,
    TimeSpan BatchAge,
    bool IsEmpty,
    bool InFlight,
    bool Backlogged);

/// <summary>One due check's verdict: the partitions being worked through as a backlog, those that now count as backlogged, and the batches to commit.</summary>
internal sealed record FlushDecision(IReadOnlySet<int> Behind, IReadOnlySet<int> NowBacklogged, IReadOnlyList<int> Commit);

/// <summary>
/// When a partition's batch is committed (docs/streamwriter.md, "Flush policy"), decided from what the writer has
/// read and the clock alone, so that every case can be checked against a fake clock. A partition the writer keeps
/// up with is committed once its batch's oldest record has waited <see cref="StreamWriterOptions.FlushInterval"/>; a
/// partition further behind is being worked through as a backlog, where freshness is lost anyway: its batches grow
/// into larger, fewer files, up to <see cref="StreamWriterOptions.BacklogFlushInterval"/> or the size limits (or,
/// read in groups, until it is read to its end).
/// </summary>
internal sealed class FlushPolicy(StreamWriterOptions options, TimeProvider time)
{
    /// <summary>
    /// A partition this close to its high watermark may be read to its end (see <see cref="AtEnd"/>): a
    /// transactional producer's commit markers take offsets no record is delivered at.
    /// </summary>
    public const int MarkerSlack = 16;

    /// <summary>
    /// Within that slack, a partition is at its end once nothing more was read from it for this long: longer than a
    /// fetch the broker holds open (fetch.wait.max.ms, 50 ms): on a busy machine a backlog's last records can take
    /// longer than the 20 ms between two due checks to arrive.
    /// </summary>
    public static readonly TimeSpan QuietAtEnd = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<int, DueCheck> _lastCheck = [];

    /// <param name="readingInGroups">The writer reads a long backlog a group of partitions at a time.</param>
    /// <param name="overBudget">The batches hold <see cref="StreamWriterOptions.MaxBufferedBytes"/>: commit everything.</param>
    public FlushDecision Decide(IReadOnlyList<PartitionState> partitions, bool readingInGroups, bool overBudget)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // Working through a backlog: not read to the high watermark librdkafka last fetched, and reading records
        // older than a flush interval. A partition not fetched yet does not count.
        var newestRead = partitions.Select(p => p.NewestKafkaTime).DefaultIfEmpty().Max();
        var behind = partitions.Where(p => !KeepsUp(p, LastCheck(p.Partition), now, newestRead)).Select(p => p.Partition).ToHashSet();
        // Read in groups, a partition behind is not merely behind for a moment (a busy machine under a steady
        // stream): its backlog is so long it is read in groups.
        var nowBacklogged = readingInGroups ? behind : [];

        var commit = partitions
            .Where(p => !p.IsEmpty && !p.InFlight
                && (overBudget || p.BatchAge >= options.BacklogFlushInterval
                    // Caught up: a backlog's batch is whole once its partition is read to its end (and, read in
                    // groups, other partitions wait for this one), a live stream's after a flush interval.
                    || (!behind.Contains(p.Partition) && (readingInGroups || p.Backlogged || p.BatchAge >= options.FlushInterval || OldAtEnd(p, now)))))
            .Select(p => p.Partition)
            .ToList();

        foreach (var p in partitions)
        {
            // Read to the offset last fetched, not merely near it: a backlog's last records may still be on their way.
            var last = LastCheck(p.Partition);
            var readToEndAt = p.HighWatermark != Offset.Unset.Value && p.NextOffset >= p.HighWatermark ? now : last?.ReadToEndAt ?? default;
            var readAt = last is { } seen && seen.NextOffset == p.NextOffset ? seen.ReadAt : now;
            _lastCheck[p.Partition] = new DueCheck(p.NextOffset, p.HighWatermark, readToEndAt, readAt);
        }

        return new FlushDecision(behind, nowBacklogged, commit);
    }

    /// <summary>
    /// Whether the backlog continues past a batch committed now: a backlogged batch committed before its partition
    /// was read to the high watermark fetched (its last records a moment late, or the size limits reached) leaves the
    /// rest of that backlog to the next batch, which is then committed once the partition is read to its end, as its
    /// predecessor would have been, not a flush interval later. Not so once the partition was read to its end or its
    /// records are fresh: a live stream's batches gather a flush interval.
    /// </summary>
    public bool BacklogContinues(PartitionState committed) =>
        committed.Backlogged
        && time.GetUtcNow().UtcDateTime - committed.NewestKafkaTime > options.FlushInterval
        && committed.NextOffset < committed.HighWatermark;

    /// <summary>
    /// A partition read to its end whose records were all produced more than a flush interval ago: a backlog the
    /// writer read in one go, before any due check saw it behind. Its batch is whole; waiting a flush interval
    /// would only delay old records.
    /// </summary>
    private bool OldAtEnd(PartitionState p, DateTime now) =>
        p.HighWatermark != Offset.Unset.Value && p.NextOffset >= p.HighWatermark && now - p.NewestKafkaTime > options.FlushInterval;

    /// <summary>Forgets a partition the writer no longer holds.</summary>
    public void Forget(int partition) => _lastCheck.Remove(partition);

    /// <summary>
    /// Whether the partition has nothing more to read, by the high watermark librdkafka last fetched (no broker
    /// round trip). A moment without records while the fetcher is short of CPU is not the end of a backlog: the
    /// partitions still behind keep growing their batches instead of all being flushed as small files.
    /// Within <see cref="MarkerSlack"/> of the watermark, the partition is at its end if nothing more was read from
    /// it for <see cref="QuietAtEnd"/> (the offsets left are commit markers) or its producers wrote more since the
    /// last due check (a live stream the consumer trails by a moment's records, not a backlog) — but not while the
    /// last few records of a backlog are still on their way: taken to be at its end then, a partition's last records
    /// would be committed as a batch — three files — of their own.
    /// </summary>
    private static bool AtEnd(PartitionState p, DueCheck? lastCheck, DateTime now) =>
        p.HighWatermark == Offset.Unset.Value
            || p.NextOffset >= p.HighWatermark
            || (p.NextOffset >= p.HighWatermark - MarkerSlack
                && lastCheck is { } last
                && ((last.NextOffset == p.NextOffset && now - last.ReadAt >= QuietAtEnd) || last.High != p.HighWatermark));

    /// <summary>
    /// Whether the writer keeps up with the partition: it is read to its end, or the writer has read what its
    /// producers wrote until less than a flush interval ago — the last record read from it was produced then (by its
    /// Kafka timestamp; for a partition not read from yet, the newest record read from any), or the partition was
    /// read to its end then. Not only the former: under a steady stream the consumer trails librdkafka's prefetch
    /// by a moment's records, more than the slack whenever the machine is busy, and after a quiet spell the first
    /// records are fetched a moment before they are read; such a writer must be taken neither for one working
    /// through a backlog — whose records are older than that — nor read in groups.
    /// </summary>
    private bool KeepsUp(PartitionState p, DueCheck? lastCheck, DateTime now, DateTime newestRead)
    {
        var lastRecordTime = p.NewestKafkaTime == default ? newestRead : p.NewestKafkaTime;
        var readToEndAt = lastCheck?.ReadToEndAt ?? default;
        return now - (lastRecordTime > readToEndAt ? lastRecordTime : readToEndAt) <= options.FlushInterval
            || AtEnd(p, lastCheck, now);
    }

    private DueCheck? LastCheck(int partition) => _lastCheck.TryGetValue(partition, out var last) ? last : null;

    /// <summary>What a due check saw of a partition: the next offset to read, the high watermark, when it last
    /// found the partition read to the high watermark it fetched, and since when nothing more was read from it.</summary>
    private readonly record struct DueCheck(long NextOffset, long High, DateTime ReadToEndAt, DateTime ReadAt);
}
