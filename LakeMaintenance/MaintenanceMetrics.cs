using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using GamePipeline.Lake.Delta;

namespace LakeMaintenance;

public sealed class MaintenanceMetrics
{
    public const string MeterName = "GamePipeline.LakeMaintenance";
    public const string ActivitySourceName = "GamePipeline.LakeMaintenance";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    private readonly ConcurrentDictionary<string, TableState> _tables = new();
    private readonly Counter<long> _filesCompacted;
    private readonly Counter<long> _bytesRewritten;
    private readonly Counter<long> _filesVacuumed;
    private readonly Counter<long> _bytesVacuumed;
    private readonly Counter<long> _logFilesDeleted;
    private readonly Histogram<double> _compactionDuration;
    private readonly Histogram<double> _vacuumDuration;

    private sealed record TableState(long Files, long Bytes, long Waiting);

    public MaintenanceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("gamepipeline.lake.live_files", () => Measure(s => s.Files), "{file}", "Data files in the table's current snapshot, by table.");
        meter.CreateObservableGauge("gamepipeline.lake.live_bytes", () => Measure(s => s.Bytes), "By", "Bytes of the table's live data files, by table.");
        meter.CreateObservableGauge("gamepipeline.lake.average_file_bytes", () => Measure(s => s.Files == 0 ? 0 : s.Bytes / s.Files), "By", "Average size of a live data file, by table.");
        meter.CreateObservableGauge("gamepipeline.lake.files_waiting", () => Measure(s => s.Waiting), "{file}", "Live files smaller than compaction's target (candidates for a merge), by table.");
        _filesCompacted = meter.CreateCounter<long>("gamepipeline.lake.compaction.files", "{file}", "Files merged by compaction, by table.");
        _bytesRewritten = meter.CreateCounter<long>("gamepipeline.lake.compaction.bytes_rewritten", "By", "Bytes read and rewritten by compaction, by table.");
        _filesVacuumed = meter.CreateCounter<long>("gamepipeline.lake.vacuum.files", "{file}", "Data files deleted by vacuum, by table.");
        _bytesVacuumed = meter.CreateCounter<long>("gamepipeline.lake.vacuum.bytes", "By", "Bytes deleted by vacuum, by table.");
        _logFilesDeleted = meter.CreateCounter<long>("gamepipeline.lake.log_cleanup.files", "{file}", "Commit, checkpoint and temporary files deleted from the log, by table.");
        _compactionDuration = meter.CreateHistogram("gamepipeline.lake.compaction.duration", "s", "Time to rewrite and commit one compacted file.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });
        _vacuumDuration = meter.CreateHistogram("gamepipeline.lake.vacuum.duration", "s", "Time to vacuum one table and clean its log.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    public void Observe(string table, DeltaSnapshot snapshot, CompactionPolicy policy) =>
        _tables[table] = new TableState(snapshot.FileCount, snapshot.Files.Sum(f => f.Size), snapshot.Files.Count(policy.IsSmall));

    public void Compacted(string table, int files, long bytes, double seconds)
    {
        var tag = Tag(table);
        _filesCompacted.Add(files, tag);
        _bytesRewritten.Add(bytes, tag);
        _compactionDuration.Record(seconds, tag);
    }

    public void Vacuumed(string table, int files, long bytes, int logFiles, double seconds)
    {
        var tag = Tag(table);
        _filesVacuumed.Add(files, tag);
        _bytesVacuumed.Add(bytes, tag);
        _logFilesDeleted.Add(logFiles, tag);
        _vacuumDuration.Record(seconds, tag);
    }

    private IEnumerable<Measurement<long>> Measure(Func<TableState, long> value) =>
        _tables.Select(t => new Measurement<long>(value(t.Value), Tag(t.Key)));

    private static KeyValuePair<string, object?> Tag(string table) => new("table", table);
}
