namespace LakeMaintenance;

internal static partial class MaintenanceLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Maintaining lake {Lake}: compaction every {Interval}, vacuum every {VacuumInterval} (retention {Retention}, log retention {LogRetention})")]
    public static partial void Starting(ILogger logger, string lake, TimeSpan interval, TimeSpan vacuumInterval, TimeSpan retention, TimeSpan logRetention);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Compacted {Table} dt={Partition}: {Files} files ({Bytes} bytes) into one of {OutputBytes} bytes, version {Version}, in {Seconds:0.000} s")]
    public static partial void Compacted(ILogger logger, string table, string partition, int files, long bytes, long outputBytes, long version, double seconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Compaction of {Table} dt={Partition} lost a race and is planned again: {Reason}")]
    public static partial void CompactionConflict(ILogger logger, string table, string partition, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Vacuumed {Table}: {Files} data files ({Bytes} bytes) and {LogFiles} log files deleted in {Seconds:0.000} s")]
    public static partial void Vacuumed(ILogger logger, string table, int files, long bytes, int logFiles, double seconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Checkpoint of {Table} at version {Version} failed; the commit stands")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception, string table, long version);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Maintenance of {Tables} failed ({Failures} pass(es) in a row); retrying in {Delay}")]
    public static partial void PassFailed(ILogger logger, Exception exception, string tables, int failures, TimeSpan delay);
}
