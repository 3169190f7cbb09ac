using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using GamePipeline.Lake;

namespace StreamWriter.Writing;

/// <summary>
/// Turns the records of the partitions this writer owns into committed lake files, exactly once: offsets come
/// from the lake's commit log, never from Kafka's group offsets. Called only from the consumer's thread
/// (including its rebalance callbacks), so it needs no locks.
/// </summary>
public sealed class LakeWriter(ILakeStorage storage, IOptions<StreamWriterOptions> options, StreamWriterMetrics metrics, RetentionLosses losses, TimeProvider time, ILogger<LakeWriter> logger)
{
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(10);
    private readonly StreamWriterOptions _options = options.Value;
    private readonly FlushPolicy _policy = new(options.Value, time);
    private readonly CommitLog _log = new(storage, options.Value.Topic);
    private readonly Dictionary<int, PartitionBatch> _partitions = [];
    private readonly string _writerId = options.Value.WriterId ?? $"{Environment.MachineName}-{Environment.ProcessId}";
    private readonly Dictionary<int, InFlightCommit> _inFlight = [];
    private readonly SemaphoreSlim _commitSlots = new(options.Value.CommitParallelism);
    private readonly HashSet<int> _paused = [];
    private int _groupSize = FirstGroupSize(options.Value);

    public string WriterId => _writerId;

    /// <summary>Whether a backlog is being read in groups (some partitions are paused for it).</summary>
    public bool ReadingInGroups => _paused.Count > 0;

    private static int FirstGroupSize(StreamWriterOptions options) => Math.Max(1, options.BacklogReadPartitions / 8);

    /// <summary>
    /// A partition's batch is committed at <see cref="StreamWriterOptions.FlushMaxBytes"/> or at half its share of
    /// <see cref="StreamWriterOptions.MaxBufferedBytes"/>, whichever is smaller. The budget is shared among the
    /// partitions read at once (<see cref="StreamWriterOptions.BacklogReadPartitions"/> at most).
    /// </summary>
    private long PartitionShareBytes =>
        Math.Min(_options.FlushMaxBytes, _options.MaxBufferedBytes / (2L * Math.Clamp(_partitions.Count, 1, _options.BacklogReadPartitions)));

    public IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartition> partitions)
    {
        var positions = new List<TopicPartitionOffset>();
        foreach (var topicPartition in partitions)
        {
            var checkpoint = Recover(topicPartition.Partition.Value);
            // A partition the lake holds nothing of starts at Kafka's beginning (librdkafka resets to the earliest
            // offset kept): nothing to reconcile, and no broker round trip — one per partition, in turn, held up
            // the first fetch of a new writer's 128 partitions by ~0.1 s.
            var (epoch, next) = checkpoint.Last is null
                ? (checkpoint.Epoch, checkpoint.NextOffset)
                : Reconcile(consumer, topicPartition, checkpoint.Epoch, checkpoint.NextOffset);
            _partitions[topicPartition.Partition.Value] = new PartitionBatch(topicPartition.Partition.Value, epoch, next);
            StreamWriterLog.Assigned(logger, topicPartition.Partition.Value, next, epoch);
            positions.Add(new TopicPartitionOffset(topicPartition, next));
        }

        return positions;
    }

    public void OnRevoked(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartitionOffset> partitions)
    {
        ResumeLeaving(consumer, partitions);
        foreach (var partition in partitions.Select(p => p.Partition.Value))
        {
            if (_partitions.ContainsKey(partition))
            {
                // Hand over cleanly: what we hold goes to the lake before another writer resumes from it.
                Drain(consumer, partition);
                _partitions.Remove(partition);
                _policy.Forget(partition);
                StreamWriterLog.Revoked(logger, partition);
            }
        }
    }

    public void OnLost(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartitionOffset> partitions)
    {
        ResumeLeaving(consumer, partitions);
        foreach (var partition in partitions.Select(p => p.Partition.Value))
        {
            // A commit still running for it may finish or lose the race to the new owner; either way is safe.
            _inFlight.Remove(partition);
            _policy.Forget(partition);
            if (_partitions.Remove(partition))
            {
                StreamWriterLog.Lost(logger, partition);
            }
        }
    }

    public void Add(IConsumer<string?, ReadOnlyMemory<byte>> consumer, ConsumeResult<string?, ReadOnlyMemory<byte>> record)
    {
        if (!_partitions.TryGetValue(record.Partition.Value, out var batch))
        {
            return;
        }

        if (record.Offset.Value < batch.NextOffset)
        {
            if (!Regressed(consumer, batch, record))
            {
                return;
            }

            batch = _partitions[record.Partition.Value];
        }

        if (record.Offset.Value > batch.NextOffset + FlushPolicy.MarkerSlack)
        {
            ReportDropped(consumer, batch, record);
        }

        batch.Add(record);
        if ((batch.Records >= _options.FlushMaxRecords || batch.Bytes >= PartitionShareBytes) && !_inFlight.ContainsKey(batch.Partition))
        {
            StartCommit(consumer, batch);
        }
    }

    /// <summary>
    /// Settles finished commits, then starts committing the batches the <see cref="FlushPolicy"/> finds due, and
    /// reads a long backlog in groups. Commits run in the background while the consumer reads on; a partition has at
    /// most one.
    /// </summary>
    public void CommitDue(IConsumer<string?, ReadOnlyMemory<byte>> consumer)
    {
        Settle(consumer, wait: false);
        var buffered = _partitions.Values.Sum(b => b.Bytes) + _inFlight.Values.Sum(c => c.Batch.Bytes);
        if (buffered >= _options.MaxBufferedBytes && _inFlight.Count > 0)
        {
            // Back-pressure: let the lake catch up before reading more.
            Settle(consumer, wait: true);
        }

        var decision = _policy.Decide(
            [.. _partitions.Values.Select(batch => State(consumer, batch))],
            ReadingInGroups,
            overBudget: buffered >= _options.MaxBufferedBytes);
        foreach (var partition in decision.NowBacklogged)
        {
            _partitions[partition].Backlogged = true;
        }

        foreach (var partition in decision.Commit)
        {
            StartCommit(consumer, _partitions[partition]);
        }

        ReadBacklogInGroups(consumer, decision.Behind);
    }

    private PartitionState State(IConsumer<string?, ReadOnlyMemory<byte>> consumer, PartitionBatch batch) => new(
        batch.Partition,
        batch.NextOffset,
        HighWatermark(consumer, batch.Partition),
        batch.NewestKafkaTime,
        batch.IsEmpty ? TimeSpan.Zero : Stopwatch.GetElapsedTime(batch.StartedAt),
        batch.IsEmpty,
        _inFlight.ContainsKey(batch.Partition),
        batch.Backlogged);

    /// <summary>
    /// While more partitions are behind than <see cref="StreamWriterOptions.BacklogReadPartitions"/>, reads only that
    /// many at once and pauses the rest; as the ones read reach their end (and are committed whole), paused ones
    /// take their place. Read all at once, a hundred partitions fill in lock-step: nothing is committed until each
    /// holds its share, and at the end every partition's last batch is committed after reading has finished.
    /// In groups, committing overlaps reading from the first group on, and most partitions fit in one batch.
    /// The first group is an eighth of that and each next one twice the last: until the first partitions are read,
    /// the commit threads have nothing to do. Once no more partitions are behind than that, every paused partition
    /// is resumed.
    /// </summary>
    private void ReadBacklogInGroups(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IReadOnlySet<int> behind)
    {
        if (behind.Count <= _options.BacklogReadPartitions)
        {
            Resume(consumer, [.. _paused]);
            _groupSize = FirstGroupSize(_options);
            return;
        }

        var groupSize = _groupSize;

        // In assignment order, so partitions take their turns in the same order each time.
        var reading = _partitions.Keys.Where(partition => behind.Contains(partition) && !_paused.Contains(partition)).ToList();
        if (reading.Count > groupSize)
        {
            var pause = reading.Skip(groupSize).ToList();
            consumer.Pause(pause.Select(ToTopicPartition));
            _paused.UnionWith(pause);
        }
        else if (reading.Count < groupSize)
        {
            _groupSize = groupSize = Math.Min(2 * groupSize, _options.BacklogReadPartitions);
            Resume(consumer, [.. _partitions.Keys.Where(partition => behind.Contains(partition) && _paused.Contains(partition)).Take(groupSize - reading.Count)]);
        }
    }

    private void Resume(IConsumer<string?, ReadOnlyMemory<byte>> consumer, List<int> partitions)
    {
        if (partitions.Count > 0)
        {
            consumer.Resume(partitions.Select(ToTopicPartition));
            _paused.ExceptWith(partitions);
        }
    }

    private TopicPartition ToTopicPartition(int partition) => new(_options.Topic, partition);

    /// <summary>
    /// Resumes partitions this writer paused before it gives them up: librdkafka keeps a partition's pause across
    /// a rebalance, so one assigned back later would otherwise never be read again.
    /// </summary>
    private void ResumeLeaving(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartitionOffset> partitions)
    {
        List<int> paused = [.. partitions.Select(p => p.Partition.Value).Where(_paused.Contains)];
        try
        {
            Resume(consumer, paused);
        }
        catch (KafkaException e)
        {
            // They are leaving either way: forget them.
            StreamWriterLog.ResumeFailed(logger, e, paused.Count);
            _paused.ExceptWith(paused);
        }
    }

    /// <summary>The high watermark librdkafka last fetched for the partition (<see cref="Offset.Unset"/> before its first fetch).</summary>
    private long HighWatermark(IConsumer<string?, ReadOnlyMemory<byte>> consumer, int partition) =>
        consumer.GetWatermarkOffsets(ToTopicPartition(partition)).High.Value;

    /// <summary>Commits everything this writer holds and waits for it (shutdown).</summary>
    public void CommitAll(IConsumer<string?, ReadOnlyMemory<byte>> consumer)
    {
        foreach (var partition in _partitions.Keys.ToList())
        {
            Drain(consumer, partition);
        }
    }

    private sealed record InFlightCommit(PartitionBatch Batch, Task<long?> Outcome);

    /// <summary>
    /// Hands the partition's batch to a background commit and gives the partition a fresh batch, backlogged if the
    /// backlog continues past this one (<see cref="FlushPolicy.BacklogContinues"/>).
    /// </summary>
    private void StartCommit(IConsumer<string?, ReadOnlyMemory<byte>> consumer, PartitionBatch batch)
    {
        var backlogContinues = _policy.BacklogContinues(State(consumer, batch));
        _partitions[batch.Partition] = new PartitionBatch(batch.Partition, batch.Epoch, batch.NextOffset)
        {
            NewestKafkaTime = batch.NewestKafkaTime,
            Backlogged = backlogContinues,
        };
        _inFlight[batch.Partition] = new InFlightCommit(batch, CommitInBackground(batch, delay: TimeSpan.Zero));
    }

    private async Task<long?> CommitInBackground(PartitionBatch batch, TimeSpan delay)
    {
        await Task.Delay(delay);
        await _commitSlots.WaitAsync();
        try
        {
            return await Task.Run(() => TryCommit(batch));
        }
        finally
        {
            _commitSlots.Release();
        }
    }

    /// <summary>Waits for the partition's running commit, then commits what it holds, on this thread.</summary>
    private void Drain(IConsumer<string?, ReadOnlyMemory<byte>> consumer, int partition)
    {
        while (_inFlight.ContainsKey(partition))
        {
            Settle(consumer, wait: true);
        }

        if (_partitions.TryGetValue(partition, out var batch) && !batch.IsEmpty)
        {
            StartCommit(consumer, batch);
            while (_inFlight.ContainsKey(partition))
            {
                Settle(consumer, wait: true);
            }
        }
    }

    /// <summary>
    /// Applies the outcome of finished commits on the consumer's thread: store the position (success), resume where
    /// the lake says (another writer committed first), or try again later (the lake failed; the rows stay).
    /// </summary>
    private void Settle(IConsumer<string?, ReadOnlyMemory<byte>> consumer, bool wait)
    {
        if (wait && _inFlight.Count > 0)
        {
            Task.WaitAny([.. _inFlight.Values.Select(c => c.Outcome)]);
        }

        foreach (var (partition, commit) in _inFlight.Where(c => c.Value.Outcome.IsCompleted).ToList())
        {
            _inFlight.Remove(partition);
            if (commit.Outcome.IsFaulted)
            {
                StreamWriterLog.CommitFailed(logger, commit.Outcome.Exception!.GetBaseException(), partition);
                _inFlight[partition] = commit with { Outcome = CommitInBackground(commit.Batch, _options.RetryDelay) };
            }
            else if (commit.Outcome.Result is { } next)
            {
                // Kafka's group offsets only feed lag metrics and tools (recovery never reads them): store the
                // position and let the client commit it in the background.
                if (_partitions.ContainsKey(partition))
                {
                    consumer.StoreOffset(new TopicPartitionOffset(_options.Topic, partition, next));
                }
            }
            else if (_partitions.ContainsKey(partition))
            {
                // Lost the race for this range: the lake is ahead of us. Resume where it says.
                var checkpoint = Recover(partition);
                _partitions[partition] = new PartitionBatch(partition, checkpoint.Epoch, checkpoint.NextOffset);
                consumer.Seek(new TopicPartitionOffset(_options.Topic, partition, checkpoint.NextOffset));
            }
        }
    }

    /// <summary>Writes and commits the batch; returns the next offset, or null when another writer committed first.</summary>
    private long? TryCommit(PartitionBatch batch)
    {
        if (batch.IsEmpty)
        {
            return batch.NextOffset;
        }

        var started = Stopwatch.GetTimestamp();
        using var activity = StreamWriterMetrics.Source.StartActivity(
            $"commit {_options.Topic}", ActivityKind.Internal, parentContext: default, links: batch.ProducerLinks);
        activity?.SetTag("messaging.destination.name", _options.Topic);
        activity?.SetTag("messaging.destination.partition.id", batch.Partition);
        activity?.SetTag("gamepipeline.offsets", $"{batch.FirstOffset}-{batch.LastOffset}");
        activity?.SetTag("gamepipeline.records", batch.Records);

        foreach (var badReason in batch.Materialize(_options.MaxEventBytes))
        {
            metrics.BadRecord(badReason);
        }

        var writtenAt = time.GetUtcNow().UtcDateTime;
        batch.StampWrittenAt(writtenAt);
        var files = new List<CommittedFile>();
        foreach (var table in batch.Tables)
        {
            var staged = LakeLayout.StagedFile(_options.Topic, batch.Partition, ".parquet");
            long bytes = 0;
            Wait(storage.WriteAsync(staged, async stream =>
            {
                await table.WriteAsync(stream, CancellationToken.None);
                bytes = stream.Position;
            }, CancellationToken.None));
            var path = LakeLayout.DataFile(table.Table.Name, table.Date, _options.Topic, batch.Partition, batch.Epoch, batch.FirstOffset, batch.LastOffset);
            files.Add(new CommittedFile(table.Table.Name, path, staged, table.Rows, bytes));
        }

        var manifest = new CommitManifest(_options.Topic, batch.Partition, batch.Epoch, batch.FirstOffset, batch.LastOffset, batch.Records, files, writtenAt, _writerId);
        if (!Wait(_log.TryCommitAsync(manifest, CancellationToken.None)))
        {
            StreamWriterLog.CommitConflict(logger, batch.Partition, batch.FirstOffset);
            activity?.SetStatus(ActivityStatusCode.Error, "commit conflict");
            batch.Clear();
            return null;
        }

        foreach (var file in files)
        {
            metrics.FileCommitted(file.Table, file.Rows, file.Bytes);
        }

        metrics.Committed(Stopwatch.GetElapsedTime(started), writtenAt - batch.OldestKafkaTime);
        StreamWriterLog.Committed(logger, batch.Partition, batch.FirstOffset, batch.LastOffset, batch.Records, files.Count);
        activity?.SetTag("gamepipeline.files", files.Count);
        batch.Clear();
        if (manifest.FirstOffset % 50 == 0)
        {
            Wait(_log.PruneAsync(batch.Partition, CancellationToken.None));
        }

        return manifest.NextOffset;
    }

    /// <summary>
    /// Where to resume, given the lake's checkpoint and what Kafka holds now. A lake ahead of Kafka's end means
    /// a new cluster (an embedded Kafka restarts empty) or a recreated topic: start a new epoch rather than wait
    /// forever for offsets that will never come.
    /// </summary>
    private (int Epoch, long Next) Reconcile(IConsumer<string?, ReadOnlyMemory<byte>> consumer, TopicPartition partition, int epoch, long next)
    {
        var watermarks = consumer.QueryWatermarkOffsets(partition, WatermarkTimeout);
        if (next > watermarks.High.Value)
        {
            StreamWriterLog.NewEpoch(logger, partition.Partition.Value, watermarks.High.Value, next, epoch + 1, watermarks.Low.Value);
            return (epoch + 1, watermarks.Low.Value);
        }

        if (next < watermarks.Low.Value)
        {
            losses.Report(partition.Partition.Value, next, watermarks.Low.Value);
            return (epoch, watermarks.Low.Value);
        }

        return (epoch, next);
    }

    /// <summary>
    /// A record past a gap wider than commit markers leave: either a producer's aborted transaction (skipped by
    /// read_committed) or records Kafka's retention dropped before they were read — librdkafka then resumes at the
    /// partition's new start. Kafka's start offset tells which.
    /// </summary>
    private void ReportDropped(IConsumer<string?, ReadOnlyMemory<byte>> consumer, PartitionBatch batch, ConsumeResult<string?, ReadOnlyMemory<byte>> record)
    {
        var low = consumer.QueryWatermarkOffsets(record.TopicPartition, WatermarkTimeout).Low.Value;
        if (low > batch.NextOffset)
        {
            losses.Report(batch.Partition, batch.NextOffset, Math.Min(low, record.Offset.Value));
        }
    }

    /// <summary>A record below the position: Kafka was reset under a running writer (offset reset to the start).</summary>
    private bool Regressed(IConsumer<string?, ReadOnlyMemory<byte>> consumer, PartitionBatch batch, ConsumeResult<string?, ReadOnlyMemory<byte>> record)
    {
        var (epoch, _) = Reconcile(consumer, record.TopicPartition, batch.Epoch, batch.NextOffset);
        if (epoch == batch.Epoch)
        {
            return false;
        }

        Drain(consumer, batch.Partition);
        batch = _partitions[batch.Partition];
        batch.Epoch = epoch;
        batch.NextOffset = record.Offset.Value;
        return true;
    }

    /// <summary>
    /// Where the lake says the partition stands. Until the lake answers, the partition cannot be read without
    /// risking loss or duplicates, so this keeps asking (a namenode failing over, a disk remounting) instead of
    /// failing the assignment — which would leave the partition with no reader at all.
    /// </summary>
    private PartitionCheckpoint Recover(int partition)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Wait(_log.RecoverAsync(partition, CancellationToken.None));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                StreamWriterLog.RecoveryFailed(logger, e, partition, attempt);
                Thread.Sleep(_options.RetryDelay);
            }
        }
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();
}
