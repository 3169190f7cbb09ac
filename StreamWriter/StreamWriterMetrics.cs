using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamWriter;

public sealed class StreamWriterMetrics
{
    public const string MeterName = "GamePipeline.StreamWriter";
    public const string ActivitySourceName = "GamePipeline.StreamWriter";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    private readonly Counter<long> _rows;
    private readonly Counter<long> _files;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _badRecords;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _erased;
    private readonly Counter<long> _lost;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<double> _freshness;

    public StreamWriterMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _rows = meter.CreateCounter<long>("gamepipeline.writer.rows", "{row}", "Rows committed to the lake, by table.");
        _files = meter.CreateCounter<long>("gamepipeline.writer.files", "{file}", "Parquet files committed, by table.");
        _bytes = meter.CreateCounter<long>("gamepipeline.writer.bytes", "By", "Parquet bytes committed, by table.");
        _badRecords = meter.CreateCounter<long>("gamepipeline.writer.bad_records", "{record}", "Records sent to bad_events, by reason.");
        _duplicates = meter.CreateCounter<long>("gamepipeline.writer.duplicates", "{event}", "Events whose idempotency key the lake already held within the window, sent to duplicate_events instead of their table, by that table.");
        _erased = meter.CreateCounter<long>("gamepipeline.writer.erased_events", "{event}", "Events of erased users dropped before they reached the lake, by the table they would have gone to.");
        _lost = meter.CreateCounter<long>("gamepipeline.writer.lost_records", "{record}", "Records Kafka dropped by retention before they were committed to the lake, by partition.");
        _commitDuration = meter.CreateHistogram("gamepipeline.writer.commit.duration", "s", "Time to write and commit one partition's batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _freshness = meter.CreateHistogram("gamepipeline.writer.freshness", "s", "Age of a batch's oldest record (Kafka timestamp) when it was committed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60] });
    }

    public void FileCommitted(string table, int rows, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("table", table);
        _rows.Add(rows, tag);
        _files.Add(1, tag);
        _bytes.Add(bytes, tag);
    }

    public void Lost(int partition, long records) => _lost.Add(records, new KeyValuePair<string, object?>("messaging.destination.partition.id", partition));

    public void BadRecord(string reason) => _badRecords.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Duplicate(string table) => _duplicates.Add(1, new KeyValuePair<string, object?>("table", table));

    public void Erased(string table) => _erased.Add(1, new KeyValuePair<string, object?>("table", table));

    public void Committed(TimeSpan duration, TimeSpan oldestRecordAge)
    {
        _commitDuration.Record(duration.TotalSeconds);
        _freshness.Record(oldestRecordAge.TotalSeconds);
    }
}
