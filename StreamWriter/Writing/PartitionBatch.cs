using System.Diagnostics;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using GamePipeline.Contracts;
using GamePipeline.Kafka;

namespace StreamWriter.Writing;

/// <summary>
/// The records of one Kafka partition since its last commit. The consumer's thread only stores each payload and
/// its Kafka metadata; parsing, routing to tables and dates, and building columns wait for the commit
/// (<see cref="Materialize"/>), which runs on a commit thread. The consumer's thread is the writer's one serial
/// stage, so it does as little per record as it can, and the work that is left spreads over every core.
/// </summary>
internal sealed class PartitionBatch(int partition, int epoch, long nextOffset)
{
    private const int MaxLinks = 32;
    private readonly Dictionary<(LakeTable Table, DateOnly Date), TableBatch> _tables = [];
    private readonly Dictionary<LakeTable, TableBatch> _skipped = [];
    private long[]? _skipThrough;
    private long _offset;
    private readonly List<ActivityLink> _producerLinks = [];
    private readonly TableBatch?[] _recent = new TableBatch?[LakeTables.Streamed.Count];
    private readonly TextStore _text = new();
    private readonly ChunkedBuffer<HeldRecord> _held = new();
    private int _nextRecent;
    private DateTime _newestKafkaTime;
    private bool _materialized;

    public int Partition { get; } = partition;

    public int Epoch { get; set; } = epoch;

    /// <summary>The first offset not yet in the lake or in this batch.</summary>
    public long NextOffset { get; set; } = nextOffset;

    public long FirstOffset { get; private set; } = -1;

    public long LastOffset { get; private set; } = -1;

    public int Records { get; private set; }

    public long Bytes { get; private set; }

    public DateTime OldestKafkaTime { get; private set; }

    /// <summary>
    /// The Kafka timestamp of the last record read from the partition (carried over from the batch before): how far
    /// behind its producers the writer reads.
    /// </summary>
    public DateTime NewestKafkaTime { get => _newestKafkaTime; init => _newestKafkaTime = value; }

    public long StartedAt { get; private set; }

    /// <summary>
    /// Whether the batch holds part of a backlog: the writer was behind this partition while reading a backlog in
    /// groups, or the batch before it was committed in the middle of such a backlog. Once the partition is read to
    /// its end the batch is whole — there is nothing more to wait for (<see cref="StreamWriterOptions.FlushInterval"/>
    /// gathers a live stream's next records), even after the last groups have been resumed.
    /// </summary>
    public bool Backlogged { get; set; }

    /// <summary>The batch's rows by table and date, once <see cref="Materialize"/> has built them.</summary>
    public IEnumerable<TableBatch> Tables => _tables.Values;

    public IReadOnlyList<ActivityLink> ProducerLinks => _producerLinks;

    public bool IsEmpty => Records == 0;

    /// <summary>Holds a record: its payload and key are copied (the consumer reuses their memory), nothing is parsed.</summary>
    public void Add(ConsumeResult<string?, ReadOnlyMemory<byte>> record)
    {
        var kafkaTime = record.Message.Timestamp.UtcDateTime;
        if (Records == 0)
        {
            FirstOffset = record.Offset.Value;
            StartedAt = Stopwatch.GetTimestamp();
            OldestKafkaTime = kafkaTime;
        }

        _newestKafkaTime = kafkaTime;

        LastOffset = record.Offset.Value;
        NextOffset = LastOffset + 1;
        Records++;
        Bytes += record.Message.Value.Length;
        var producer = KafkaTelemetry.ExtractTraceContext(record.Message.Headers);
        if (_producerLinks.Count < MaxLinks && producer != default)
        {
            _producerLinks.Add(new ActivityLink(producer));
        }

        _held.Add(new HeldRecord(
            _text.Store(record.Message.Value.Span),
            record.Message.Key is { } key ? _text.Store(key) : TextRef.Null,
            record.Offset.Value,
            kafkaTime,
            TraceId.Of(producer)));
    }

    /// <summary>
    /// Parses the held records against the event contract into their tables' columns, once (a retried write
    /// reuses them), checking idempotency keys against <paramref name="keys"/>, the partition's, and leaving out the events
    /// of <paramref name="erased"/> users. A record's rows for a
    /// table whose log already holds its offset (<paramref name="skipThrough"/>, per table in
    /// <see cref="LakeTables.Streamed"/> order) are left out. Returns what the parse counted (null when parsed before).
    /// </summary>
    public ParseTarget? Materialize(int maxEventBytes, long[]? skipThrough, KeyWindow keys, ErasedUsers erased)
    {
        if (_materialized)
        {
            return null;
        }

        _skipThrough = skipThrough;
        var target = new ParseTarget(Partition, Epoch, _text, maxEventBytes, keys, erased, BatchFor);
        try
        {
            foreach (var chunk in _held.Chunks)
            {
                foreach (var record in chunk.Span)
                {
                    _offset = record.Offset;
                    EventRecord.Append(record, target);
                }
            }
        }
        catch
        {
            // Half-built tables must not be committed by a retry, nor keys kept that it would then find: the next
            // try starts over.
            keys.Rollback();
            ClearTables();
            throw;
        }

        keys.Checkpoint();
        _materialized = true;
        return target;
    }

    private TableBatch BatchFor(LakeTable table, DateOnly date)
    {
        if (_skipThrough is not null && _offset <= _skipThrough[LakeTables.IndexOf(table)])
        {
            // Already in that table (a replay after recovery): built, then dropped.
            ref var skipped = ref CollectionsMarshal.GetValueRefOrAddDefault(_skipped, table, out _);
            return skipped ??= new TableBatch(table, date);
        }

        // Nearly every record goes to a batch it has used recently; comparing references is cheaper than hashing
        // the table record for the dictionary.
        foreach (var recent in _recent)
        {
            if (recent is not null && ReferenceEquals(recent.Table, table) && recent.Date == date)
            {
                return recent;
            }
        }

        ref var batch = ref CollectionsMarshal.GetValueRefOrAddDefault(_tables, (table, date), out _);
        batch ??= new TableBatch(table, date);
        _recent[_nextRecent] = batch;
        _nextRecent = (_nextRecent + 1) % _recent.Length;
        return batch;
    }

    /// <summary>Stamps every row with the commit time.</summary>
    public void StampWrittenAt(DateTime writtenAt)
    {
        foreach (var batch in _tables.Values)
        {
            batch.Value<DateTime>(EventRecord.WrittenAt(batch.Table)).Values.Fill(writtenAt);
        }
    }

    public void Clear()
    {
        ClearTables();
        _held.Dispose();
        _text.Dispose();
        _producerLinks.Clear();
        Records = 0;
        Bytes = 0;
        FirstOffset = LastOffset = -1;
    }

    private void ClearTables()
    {
        foreach (var batch in _tables.Values)
        {
            batch.Dispose();
        }

        _tables.Clear();
        foreach (var batch in _skipped.Values)
        {
            batch.Dispose();
        }

        _skipped.Clear();
        Array.Clear(_recent);
        _materialized = false;
    }
}

/// <summary>
/// A record as the consumer's thread holds it until its batch is committed: where its payload and key sit in the
/// batch's <see cref="TextStore"/>, and its Kafka metadata. No references, so a million of them are nothing for
/// the GC to trace.
/// </summary>
internal readonly record struct HeldRecord(TextRef Payload, TextRef Key, long Offset, DateTime KafkaTime, TraceId TraceId);

/// <summary>
/// A W3C trace id as its 16 bytes, in two halves (all zero, which W3C rules out as an id, for none). Not a
/// <see cref="UInt128"/>: ReadyToRun does not precompile a method that takes a struct holding one by value, and every
/// method a held record passes through (parsing it into its table's columns) was compiled just in time instead.
/// </summary>
internal readonly record struct TraceId(ulong First, ulong Second)
{
    public bool IsNone => (First | Second) == 0;

    public static TraceId Of(ActivityContext context)
    {
        if (context == default)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[16];
        context.TraceId.CopyTo(bytes);
        return new TraceId(MemoryMarshal.Read<ulong>(bytes), MemoryMarshal.Read<ulong>(bytes[8..]));
    }

    /// <summary>Adds the id to a text column as lower-case hex; null for none.</summary>
    public void AddTo(StringColumn column)
    {
        if (IsNone)
        {
            column.AddNull();
            return;
        }

        Span<byte> bytes = stackalloc byte[16];
        MemoryMarshal.Write(bytes, First);
        MemoryMarshal.Write(bytes[8..], Second);
        column.AddHex(bytes);
    }
}
