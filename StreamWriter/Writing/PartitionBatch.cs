using System.Diagnostics;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using GamePipeline.Contracts;
using GamePipeline.ServiceDefaults.Kafka;

namespace StreamWriter.Writing;

/// <summary>The records of one Kafka partition since its last commit, split by table and date.</summary>
internal sealed class PartitionBatch(int partition, int epoch, long nextOffset)
{
    private const int MaxLinks = 32;
    private readonly Dictionary<(LakeTable Table, DateOnly Date), TableBatch> _tables = [];
    private readonly List<ActivityLink> _producerLinks = [];
    private readonly TableBatch?[] _recent = new TableBatch?[LakeTables.All.Count];
    private int _nextRecent;

    public int Partition { get; } = partition;

    public int Epoch { get; set; } = epoch;

    /// <summary>The first offset not yet in the lake or in this batch.</summary>
    public long NextOffset { get; set; } = nextOffset;

    public long FirstOffset { get; private set; } = -1;

    public long LastOffset { get; private set; } = -1;

    public int Records { get; private set; }

    public long Bytes { get; private set; }

    public DateTime OldestKafkaTime { get; private set; }

    public long StartedAt { get; private set; }

    public IEnumerable<TableBatch> Tables => _tables.Values;

    public IReadOnlyList<ActivityLink> ProducerLinks => _producerLinks;

    public bool IsEmpty => Records == 0;

    /// <summary>Adds a record; returns the bad-event reason when it failed the contract.</summary>
    public string? Add(ConsumeResult<string?, ReadOnlyMemory<byte>> record, int maxEventBytes)
    {
        if (Records == 0)
        {
            FirstOffset = record.Offset.Value;
            StartedAt = Stopwatch.GetTimestamp();
            OldestKafkaTime = record.Message.Timestamp.UtcDateTime;
        }

        LastOffset = record.Offset.Value;
        NextOffset = LastOffset + 1;
        Records++;
        Bytes += record.Message.Value.Length;
        var producer = KafkaTelemetry.ExtractTraceContext(record.Message.Headers);
        if (_producerLinks.Count < MaxLinks && producer != default)
        {
            _producerLinks.Add(new ActivityLink(producer));
        }

        return EventRecord.Append(record, producer, maxEventBytes, BatchFor);
    }

    private TableBatch BatchFor(LakeTable table, DateOnly date)
    {
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
        foreach (var batch in _tables.Values)
        {
            batch.Dispose();
        }

        _tables.Clear();
        Array.Clear(_recent);
        _producerLinks.Clear();
        Records = 0;
        Bytes = 0;
        FirstOffset = LastOffset = -1;
    }
}
