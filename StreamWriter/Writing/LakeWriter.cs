using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using GamePipeline.Contracts;
using GamePipeline.Lake;

namespace StreamWriter.Writing;

/// <summary>
/// Turns the records of the partitions this writer owns into Delta commits, exactly once: where a partition resumes
/// comes from the tables' <c>txn</c> actions, never from Kafka's group offsets. A partition's batch is written to
/// data files in the background (one at a time per partition); whatever the partitions have written is then committed
/// as one commit per table, all tables at once (one commit round at a time), each carrying the <c>txn</c> of every
/// partition with something new for it. Called only from the consumer's thread (including its rebalance callbacks),
/// so it needs no locks: background work only returns results, which are applied here.
/// </summary>
public sealed class LakeWriter(ILakeStorage storage, IOptions<StreamWriterOptions> options, StreamWriterMetrics metrics, RetentionLosses losses, TimeProvider time, ILogger<LakeWriter> logger)
{
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(10);
    private readonly StreamWriterOptions _options = options.Value;
    private readonly FlushPolicy _policy = new(options.Value, time);
    private readonly Dictionary<int, OwnedPartition> _partitions = [];
    private readonly string _writerId = WriterIdOf(options.Value);
    private readonly TableLogs _logs = new(storage, options.Value, WriterIdOf(options.Value));
    private readonly KeyRecovery _keyRecovery = new(storage, options.Value.IdempotencyWindow);
    private readonly ErasedUsers _erased = new(storage);
    private Task? _erasedRefresh;
    private long _nextErasedRefreshAt;
    private readonly SemaphoreSlim _writeSlots = new(options.Value.CommitParallelism);
    private readonly HashSet<int> _paused = [];
    private Task<TableCommitOutcome[]>? _round;
    private long _nextRoundAt;
    private int _groupSize = FirstGroupSize(options.Value);

    public string WriterId => _writerId;

    private static string WriterIdOf(StreamWriterOptions options) => options.WriterId ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Whether a backlog is being read in groups (some partitions are paused for it).</summary>
    public bool ReadingInGroups => _paused.Count > 0;

    private static int FirstGroupSize(StreamWriterOptions options) => Math.Max(1, options.BacklogReadPartitions / 8);

    /// <summary>
    /// A partition's batch is written at <see cref="StreamWriterOptions.FlushMaxBytes"/> or at half its share of
    /// <see cref="StreamWriterOptions.MaxBufferedBytes"/>, whichever is smaller. The budget is shared among the
    /// partitions read at once (<see cref="StreamWriterOptions.BacklogReadPartitions"/> at most).
    /// </summary>
    private long PartitionShareBytes =>
        Math.Min(_options.FlushMaxBytes, _options.MaxBufferedBytes / (2L * Math.Clamp(_partitions.Count, 1, _options.BacklogReadPartitions)));

    public IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartition> partitions)
    {
        var positions = new List<TopicPartitionOffset>();
        foreach (var owner in TakeOn(consumer, [.. partitions.Select(p => p.Partition.Value)]))
        {
            StreamWriterLog.Assigned(logger, owner.Partition, owner.Batch.NextOffset, owner.Epoch, owner.Keys.Count);
            positions.Add(new TopicPartitionOffset(ToTopicPartition(owner.Partition), owner.Batch.NextOffset));
        }

        return positions;
    }

    /// <summary>
    /// Owns the partitions from where the lake says they stand, reconciled with what Kafka holds, with the
    /// idempotency keys the lake holds of them up to there.
    /// </summary>
    private List<OwnedPartition> TakeOn(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IReadOnlyList<int> partitions)
    {
        var progress = FromLake(() => _logs.ReadProgressAsync(CancellationToken.None), partitions.Count);
        RefreshErasedUsers(partitions.Count);

        // A partition the lake holds nothing of starts at Kafka's beginning (librdkafka resets to the earliest
        // offset kept): nothing to reconcile, and no broker round trip — one per partition, in turn, held up the
        // first fetch of a new writer's 128 partitions by ~0.1 s.
        var resume = partitions.ToDictionary(partition => partition, partition =>
            progress.GetValueOrDefault(partition) is { IsNone: false } known ? Reconcile(consumer, ToTopicPartition(partition), known) : (Progress: PartitionProgress.None, Next: 0L));
        var keys = FromLake(
            () => _keyRecovery.LoadAsync(_logs.Snapshot(LakeTables.IdempotencyKeys), resume.ToDictionary(r => r.Key, r => (r.Value.Progress.Epoch, r.Value.Next)), CancellationToken.None),
            partitions.Count);
        List<OwnedPartition> owners = [.. partitions.Select(partition => new OwnedPartition(_options.Topic, partition, resume[partition].Progress, resume[partition].Next, keys[partition]))];
        foreach (var owner in owners)
        {
            _partitions[owner.Partition] = owner;
        }

        return owners;
    }

    public void OnRevoked(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartitionOffset> partitions)
    {
        ResumeLeaving(consumer, partitions);
        // Hand over cleanly: what we hold goes to the lake before another writer resumes from it.
        List<int> owned = [.. partitions.Select(p => p.Partition.Value).Where(_partitions.ContainsKey)];
        Drain(consumer, owned);
        foreach (var partition in owned)
        {
            _partitions.Remove(partition);
            _policy.Forget(partition);
            StreamWriterLog.Revoked(logger, partition);
        }
    }

    public void OnLost(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IEnumerable<TopicPartitionOffset> partitions)
    {
        ResumeLeaving(consumer, partitions);
        foreach (var partition in partitions.Select(p => p.Partition.Value))
        {
            // Work still running for it may commit or lose to the new owner's txn; either way is safe.
            _policy.Forget(partition);
            if (_partitions.Remove(partition))
            {
                StreamWriterLog.Lost(logger, partition);
            }
        }
    }

    public void Add(IConsumer<string?, ReadOnlyMemory<byte>> consumer, ConsumeResult<string?, ReadOnlyMemory<byte>> record)
    {
        if (!_partitions.TryGetValue(record.Partition.Value, out var owner))
        {
            return;
        }

        var batch = owner.Batch;
        if (record.Offset.Value < batch.NextOffset)
        {
            if (!Regressed(consumer, owner, record))
            {
                return;
            }

            owner = _partitions[record.Partition.Value];
            batch = owner.Batch;
        }

        if (record.Offset.Value > batch.NextOffset + FlushPolicy.MarkerSlack)
        {
            ReportDropped(consumer, batch, record);
        }

        batch.Add(record);
        if ((batch.Records >= _options.FlushMaxRecords || batch.Bytes >= PartitionShareBytes) && owner.Writing is null)
        {
            StartWrite(consumer, owner);
        }
    }

    /// <summary>
    /// Applies finished work, then starts writing the batches the <see cref="FlushPolicy"/> finds due and a commit
    /// round for what is written, and reads a long backlog in groups. Writes and commits run in the background while
    /// the consumer reads on.
    /// </summary>
    public void CommitDue(IConsumer<string?, ReadOnlyMemory<byte>> consumer)
    {
        Settle(consumer, wait: false);
        RefreshErasedUsersInBackground();
        var buffered = _partitions.Values.Sum(o => o.Batch.Bytes);
        if (buffered >= _options.MaxBufferedBytes && _partitions.Values.Any(o => o.Writing is not null))
        {
            // Back-pressure: let the lake catch up before reading more.
            Settle(consumer, wait: true);
        }

        var decision = _policy.Decide(
            [.. _partitions.Values.Select(owner => State(consumer, owner))],
            ReadingInGroups,
            overBudget: buffered >= _options.MaxBufferedBytes);
        foreach (var partition in decision.NowBacklogged)
        {
            _partitions[partition].Batch.Backlogged = true;
        }

        foreach (var partition in decision.Commit)
        {
            StartWrite(consumer, _partitions[partition]);
        }

        StartRound();
        ReadBacklogInGroups(consumer, decision.Behind);
    }

    private PartitionState State(IConsumer<string?, ReadOnlyMemory<byte>> consumer, OwnedPartition owner) => new(
        owner.Partition,
        owner.Batch.NextOffset,
        HighWatermark(consumer, owner.Partition),
        owner.Batch.NewestKafkaTime,
        owner.Batch.IsEmpty ? TimeSpan.Zero : Stopwatch.GetElapsedTime(owner.Batch.StartedAt),
        owner.Batch.IsEmpty,
        owner.Writing is not null,
        owner.Batch.Backlogged);

    /// <summary>
    /// While more partitions are behind than <see cref="StreamWriterOptions.BacklogReadPartitions"/>, reads only that
    /// many at once and pauses the rest; as the ones read reach their end (and are written whole), paused ones
    /// take their place. Read all at once, a hundred partitions fill in lock-step: nothing is written until each
    /// holds its share, and at the end every partition's last batch is written after reading has finished.
    /// In groups, writing overlaps reading from the first group on, and most partitions fit in one batch.
    /// The first group is an eighth of that and each next one twice the last: until the first partitions are read,
    /// the write threads have nothing to do. Once no more partitions are behind than that, every paused partition
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
    public void CommitAll(IConsumer<string?, ReadOnlyMemory<byte>> consumer) => Drain(consumer, [.. _partitions.Keys]);

    /// <summary>
    /// Hands the partition's batch to a background write and gives the partition a fresh batch, backlogged if the
    /// backlog continues past this one (<see cref="FlushPolicy.BacklogContinues"/>).
    /// </summary>
    private void StartWrite(IConsumer<string?, ReadOnlyMemory<byte>> consumer, OwnedPartition owner)
    {
        var batch = owner.Batch;
        var backlogContinues = _policy.BacklogContinues(State(consumer, owner));
        owner.Batch = new PartitionBatch(batch.Partition, batch.Epoch, batch.NextOffset)
        {
            NewestKafkaTime = batch.NewestKafkaTime,
            Backlogged = backlogContinues,
        };
        var skipThrough = owner.SkipThrough(batch.FirstOffset);
        owner.Writing = new InFlightWrite(batch, skipThrough, owner.Keys, WriteInBackground(batch, skipThrough, owner.Keys, delay: TimeSpan.Zero));
    }

    private async Task<WrittenBatch> WriteInBackground(PartitionBatch batch, long[]? skipThrough, KeyWindow keys, TimeSpan delay)
    {
        await Task.Delay(delay);
        await _writeSlots.WaitAsync();
        try
        {
            return await Task.Run(() => Write(batch, skipThrough, keys));
        }
        finally
        {
            _writeSlots.Release();
        }
    }

    /// <summary>Writes the batch's rows to a data file per table and date; they join the tables when a commit adds them.</summary>
    private WrittenBatch Write(PartitionBatch batch, long[]? skipThrough, KeyWindow keys)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = StreamWriterMetrics.Source.StartActivity(
            $"write {_options.Topic}", ActivityKind.Internal, parentContext: default, links: batch.ProducerLinks);
        activity?.SetTag("messaging.destination.name", _options.Topic);
        activity?.SetTag("messaging.destination.partition.id", batch.Partition);
        activity?.SetTag("gamepipeline.offsets", $"{batch.FirstOffset}-{batch.LastOffset}");
        activity?.SetTag("gamepipeline.records", batch.Records);

        if (batch.Materialize(_options.MaxEventBytes, skipThrough, keys, _erased) is { } parsed)
        {
            foreach (var table in parsed.ErasedFrom)
            {
                metrics.Erased(table);
            }

            foreach (var badReason in parsed.BadReasons)
            {
                metrics.BadRecord(badReason);
            }

            foreach (var table in parsed.DuplicatesOf)
            {
                metrics.Duplicate(table);
            }
        }

        var writtenAt = time.GetUtcNow();
        batch.StampWrittenAt(writtenAt.UtcDateTime);
        var files = LakeTables.Streamed.Select(_ => new List<WrittenFile>()).ToArray();
        foreach (var table in batch.Tables)
        {
            var path = LakeLayout.DataFile(table.Date, _options.Topic, batch.Partition, batch.Epoch, batch.FirstOffset, batch.LastOffset);
            long size = 0;
            Wait(storage.WriteAsync($"{table.Table.Name}/{path}", async stream =>
            {
                await table.WriteAsync(stream, CancellationToken.None);
                size = stream.Position;
            }, CancellationToken.None));
            files[LakeTables.IndexOf(table.Table)].Add(new WrittenFile(
                new GamePipeline.Lake.Delta.AddAction
                {
                    Path = path,
                    PartitionValues = new() { [LakeTables.PartitionColumn] = LakeLayout.PartitionValue(table.Date) },
                    Size = size,
                    ModificationTime = writtenAt.ToUnixTimeMilliseconds(),
                    DataChange = true,
                    Stats = table.Stats(),
                },
                table.Rows));
        }

        activity?.SetTag("gamepipeline.files", files.Sum(f => f.Count));
        var written = new WrittenBatch(batch.FirstOffset, batch.LastOffset, batch.Records, batch.OldestKafkaTime, started, files);
        batch.Clear();
        return written;
    }

    /// <summary>
    /// Starts committing what the partitions have written, unless a round is running or a failed one is waiting to
    /// be tried again: per table, the files and <c>txn</c> of every partition its log lacks offsets of — including a
    /// table none of the new rows went to, so that its <c>txn</c> keeps up and a replay stays short.
    /// </summary>
    private void StartRound()
    {
        if (_round is not null || Stopwatch.GetTimestamp() < _nextRoundAt)
        {
            return;
        }

        var commits = new List<TableCommit>();
        for (var table = 0; table < LakeTables.Streamed.Count; table++)
        {
            List<PartitionAppend> appends =
            [
                .. _partitions.Values.Where(owner => owner.HasNewFor(table)).Select(owner => new PartitionAppend(
                    owner,
                    [.. owner.Pending[table]],
                    new GamePipeline.Lake.Delta.TransactionAdvance(owner.AppId, owner.CommittedThrough[table] < 0 ? null : owner.CommittedThrough[table], owner.WrittenThrough))),
            ];
            if (appends.Count > 0)
            {
                commits.Add(new TableCommit(table, appends));
            }
        }

        if (commits.Count > 0)
        {
            _round = Task.Run(() => _logs.CommitAsync(commits, CancellationToken.None));
        }
    }

    /// <summary>Waits until the partitions hold nothing that is not in every table's log (revocation, shutdown).</summary>
    private void Drain(IConsumer<string?, ReadOnlyMemory<byte>> consumer, IReadOnlyList<int> partitions)
    {
        while (true)
        {
            List<OwnedPartition> unsettled = [.. partitions.Select(p => _partitions.GetValueOrDefault(p)).OfType<OwnedPartition>().Where(o => !o.IsSettled)];
            if (unsettled.Count == 0)
            {
                return;
            }

            foreach (var owner in unsettled.Where(o => o.Writing is null && !o.Batch.IsEmpty))
            {
                StartWrite(consumer, owner);
            }

            StartRound();
            Settle(consumer, wait: true);
        }
    }

    /// <summary>
    /// Applies finished work on the consumer's thread: a written batch waits for the next round; a round's commits
    /// advance what each table holds (and, once every table holds a batch, Kafka's stored position); a partition
    /// another writer committed for first is recovered from the lake. With <paramref name="wait"/>, first waits for
    /// some work to finish (or for a failed round's retry time).
    /// </summary>
    private void Settle(IConsumer<string?, ReadOnlyMemory<byte>> consumer, bool wait)
    {
        if (wait)
        {
            Task[] running = [.. _partitions.Values.Select(o => o.Writing?.Outcome).OfType<Task>(), .. _round is null ? [] : new Task[] { _round }];
            if (running.Length > 0)
            {
                Task.WaitAny(running);
            }
            else if (Stopwatch.GetTimestamp() < _nextRoundAt)
            {
                Thread.Sleep(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _nextRoundAt));
            }
        }

        foreach (var owner in _partitions.Values.Where(o => o.Writing is { Outcome.IsCompleted: true }).ToList())
        {
            var writing = owner.Writing!;
            owner.Writing = null;
            if (writing.Outcome.IsFaulted)
            {
                // The rows stay in memory: written again after a pause (files of the failed try are never committed).
                StreamWriterLog.WriteFailed(logger, writing.Outcome.Exception!.GetBaseException(), owner.Partition);
                owner.Writing = writing with { Outcome = WriteInBackground(writing.Batch, writing.SkipThrough, writing.Keys, _options.RetryDelay) };
            }
            else
            {
                owner.Written(writing.Outcome.Result);
            }
        }

        if (_round is { IsCompleted: true } round)
        {
            _round = null;
            ApplyRound(consumer, round.Result);
        }
    }

    private void ApplyRound(IConsumer<string?, ReadOnlyMemory<byte>> consumer, TableCommitOutcome[] outcomes)
    {
        var conflicted = new HashSet<int>();
        foreach (var outcome in outcomes)
        {
            var table = outcome.Commit.Table;
            if (outcome.Error is { } error)
            {
                StreamWriterLog.CommitFailed(logger, error, table.Name);
                _nextRoundAt = Stopwatch.GetTimestamp() + (long)(_options.RetryDelay.TotalSeconds * Stopwatch.Frequency);
            }

            if (outcome.CheckpointError is { } checkpointError)
            {
                StreamWriterLog.CheckpointFailed(logger, checkpointError, table.Name, outcome.Version!.Value);
            }

            foreach (var append in outcome.Committed.Where(IsCurrent))
            {
                append.Owner.Committed(outcome.Commit.TableIndex, append);
                foreach (var file in append.Files)
                {
                    metrics.FileCommitted(table.Name, file.Rows, file.Add.Size ?? 0);
                }
            }

            if (outcome.Version is { } version)
            {
                StreamWriterLog.TableCommitted(logger, table.Name, version, outcome.Committed.Count, outcome.Committed.Sum(a => a.Files.Count));
            }

            foreach (var append in outcome.Conflicted.Where(IsCurrent))
            {
                StreamWriterLog.CommitConflict(logger, append.Owner.Partition, table.Name);
                conflicted.Add(append.Owner.Partition);
            }
        }

        var now = time.GetUtcNow().UtcDateTime;
        foreach (var owner in outcomes.SelectMany(o => o.Committed).Select(a => a.Owner).Distinct().Where(o => IsCurrent(o) && !conflicted.Contains(o.Partition)))
        {
            WrittenBatch? last = null;
            foreach (var batch in owner.TakeFullyCommitted())
            {
                metrics.Committed(Stopwatch.GetElapsedTime(batch.StartedAt), now - batch.OldestKafkaTime);
                last = batch;
            }

            if (last is not null)
            {
                // Kafka's group offsets only feed lag metrics and tools (recovery never reads them): store the
                // position and let the client commit it in the background.
                consumer.StoreOffset(new TopicPartitionOffset(_options.Topic, owner.Partition, last.LastOffset + 1));
            }
        }

        if (conflicted.Count > 0)
        {
            // Another writer took these partitions: the lake is ahead of us. Resume where it says.
            foreach (var owner in TakeOn(consumer, [.. conflicted]))
            {
                consumer.Seek(new TopicPartitionOffset(_options.Topic, owner.Partition, owner.Batch.NextOffset));
            }
        }
    }

    private bool IsCurrent(PartitionAppend append) => IsCurrent(append.Owner);

    private bool IsCurrent(OwnedPartition owner) => _partitions.GetValueOrDefault(owner.Partition) == owner;

    /// <summary>
    /// Where to resume, given what the lake holds and what Kafka holds now. A lake ahead of Kafka's end means a new
    /// cluster (an embedded Kafka restarts empty) or a recreated topic: start a new epoch rather than wait forever
    /// for offsets that will never come.
    /// </summary>
    private (PartitionProgress Progress, long Next) Reconcile(IConsumer<string?, ReadOnlyMemory<byte>> consumer, TopicPartition partition, PartitionProgress progress)
    {
        var next = progress.NextOffset;
        var watermarks = consumer.QueryWatermarkOffsets(partition, WatermarkTimeout);
        if (next > watermarks.High.Value)
        {
            StreamWriterLog.NewEpoch(logger, partition.Partition.Value, watermarks.High.Value, next, progress.Epoch + 1, watermarks.Low.Value);
            return (PartitionProgress.None with { Epoch = progress.Epoch + 1 }, watermarks.Low.Value);
        }

        if (next < watermarks.Low.Value)
        {
            losses.Report(partition.Partition.Value, next, watermarks.Low.Value);
            return (progress, watermarks.Low.Value);
        }

        return (progress, next);
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

    /// <summary>
    /// A record below the position: Kafka was reset under a running writer (offset reset to the start). What the
    /// writer holds is committed under the old epoch, and the partition starts a new one at the record.
    /// </summary>
    private bool Regressed(IConsumer<string?, ReadOnlyMemory<byte>> consumer, OwnedPartition owner, ConsumeResult<string?, ReadOnlyMemory<byte>> record)
    {
        var progress = new PartitionProgress(owner.Epoch, [.. owner.CommittedThrough.Select(_ => owner.Batch.NextOffset - 1)]);
        var (reconciled, _) = Reconcile(consumer, record.TopicPartition, progress);
        if (reconciled.Epoch == owner.Epoch)
        {
            return false;
        }

        Drain(consumer, [owner.Partition]);
        // Every key accepted so far is in the lake now, and stays before the new epoch's positions.
        _partitions[owner.Partition] = new OwnedPartition(_options.Topic, owner.Partition, reconciled, record.Offset.Value, owner.Keys);
        return true;
    }

    /// <summary>
    /// What the lake says of the partitions (where they stand, their keys). Until the lake answers, they cannot be
    /// read without risking loss or duplicates, so this keeps asking (a namenode failing over, a disk remounting)
    /// instead of failing the assignment — which would leave the partitions with no reader at all.
    /// </summary>
    private T FromLake<T>(Func<Task<T>> read, int partitions)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Wait(read());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                StreamWriterLog.RecoveryFailed(logger, e, partitions, attempt);
                Thread.Sleep(_options.RetryDelay);
            }
        }
    }

    /// <summary>Reads the suppression list now (an assignment: no partition is read before it is known).</summary>
    private void RefreshErasedUsers(int partitions)
    {
        try
        {
            _erasedRefresh?.Wait();
        }
        catch (AggregateException)
        {
            // Logged where it was started; read it again below.
        }

        _erasedRefresh = null;
        FromLake(async () => { await _erased.RefreshAsync(CancellationToken.None); return _erased.Count; }, partitions);
        _nextErasedRefreshAt = Stopwatch.GetTimestamp() + (long)(_options.ErasureRefreshInterval.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Every <see cref="StreamWriterOptions.ErasureRefreshInterval"/>, reads the suppression list again off the consumer's thread.</summary>
    private void RefreshErasedUsersInBackground()
    {
        if (_erasedRefresh is { IsCompleted: false } || Stopwatch.GetTimestamp() < _nextErasedRefreshAt)
        {
            return;
        }

        if (_erasedRefresh is { IsFaulted: true } failed)
        {
            StreamWriterLog.ErasedUsersRefreshFailed(logger, failed.Exception!.GetBaseException());
        }

        _nextErasedRefreshAt = Stopwatch.GetTimestamp() + (long)(_options.ErasureRefreshInterval.TotalSeconds * Stopwatch.Frequency);
        _erasedRefresh = Task.Run(() => _erased.RefreshAsync(CancellationToken.None));
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();
}
