using GamePipeline.Contracts;
using GamePipeline.Lake;

namespace StreamWriter.Writing;

/// <summary>A batch whose files are written, from its first to its last offset, until every table's log holds it.</summary>
internal sealed record WrittenBatch(long FirstOffset, long LastOffset, int Records, DateTime OldestKafkaTime, long StartedAt, IReadOnlyList<WrittenFile>[] Files);

/// <summary>A batch being written to data files in the background, with the offsets per table it leaves out.</summary>
internal sealed record InFlightWrite(PartitionBatch Batch, long[]? SkipThrough, KeyWindow Keys, Task<WrittenBatch> Outcome);

/// <summary>
/// A partition this writer owns, from its assignment (or recovery) on: the batch being read, the one being written,
/// and what each table's log holds of it. Replaced by a new instance whenever the partition is recovered from the
/// lake, so results of work started for an earlier owner are recognised and dropped. Used only on the consumer's thread
/// (but for <see cref="Keys"/>, which the partition's batch being written uses).
/// </summary>
internal sealed class OwnedPartition(string topic, int partition, PartitionProgress progress, long nextOffset, KeyWindow keys)
{
    public int Partition { get; } = partition;

    public int Epoch { get; } = progress.Epoch;

    /// <summary>The partition's <c>txn</c> application id in every table.</summary>
    public string AppId { get; } = LakeLayout.TransactionAppId(topic, partition, progress.Epoch);

    public PartitionBatch Batch { get; set; } = new(partition, progress.Epoch, nextOffset);

    /// <summary>The idempotency keys of the partition's accepted events within the window, through the last batch parsed.</summary>
    public KeyWindow Keys { get; } = keys;

    /// <summary>The batch whose files are being written (a partition writes one at a time), or null.</summary>
    public InFlightWrite? Writing { get; set; }

    /// <summary>Per table (<see cref="LakeTables.Streamed"/> order): the last offset its log holds for this epoch, −1 for none.</summary>
    public long[] CommittedThrough { get; } = [.. progress.Through];

    /// <summary>Per table: files written and not yet committed, oldest first.</summary>
    public List<WrittenFile>[] Pending { get; } = [.. LakeTables.Streamed.Select(_ => new List<WrittenFile>())];

    /// <summary>Batches written and not yet in every table's log, oldest first.</summary>
    public Queue<WrittenBatch> Uncommitted { get; } = new();

    /// <summary>The last offset whose files are written (−1: none since the partition was taken on).</summary>
    public long WrittenThrough { get; private set; } = -1;

    /// <summary>Whether table <paramref name="table"/>'s log lacks offsets whose files are written.</summary>
    public bool HasNewFor(int table) => WrittenThrough > CommittedThrough[table];

    /// <summary>Nothing held: no records read and not written, nothing being written, nothing waiting for a commit.</summary>
    public bool IsSettled => Batch.IsEmpty && Writing is null && Uncommitted.Count == 0;

    public void Written(WrittenBatch batch)
    {
        for (var table = 0; table < batch.Files.Length; table++)
        {
            Pending[table].AddRange(batch.Files[table]);
        }

        Uncommitted.Enqueue(batch);
        WrittenThrough = batch.LastOffset;
    }

    /// <summary>Records that a table's log now holds an append of this partition (the first files it had pending).</summary>
    public void Committed(int table, PartitionAppend append)
    {
        CommittedThrough[table] = append.Transaction.To;
        Pending[table].RemoveRange(0, append.Files.Count);
    }

    /// <summary>The written batches every table's log now holds, taken off the queue.</summary>
    public IEnumerable<WrittenBatch> TakeFullyCommitted()
    {
        var committedEverywhere = CommittedThrough.Min();
        while (Uncommitted.TryPeek(out var oldest) && oldest.LastOffset <= committedEverywhere)
        {
            yield return Uncommitted.Dequeue();
        }
    }

    /// <summary>
    /// Per table, the offsets its log already holds — a record at or below one is not written to that table again —
    /// or null when the batch starting at <paramref name="firstOffset"/> has nothing any table holds.
    /// </summary>
    public long[]? SkipThrough(long firstOffset) => CommittedThrough.Max() >= firstOffset ? [.. CommittedThrough] : null;
}
