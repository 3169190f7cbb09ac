namespace StreamWriter;

internal static partial class StreamWriterLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Writing topic {Topic} to lake {Lake} as {Writer} (group {Group})")]
    public static partial void Starting(ILogger logger, string topic, string lake, string writer, string group);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Partition {Partition} assigned: resuming at offset {Offset} (epoch {Epoch}) with {Keys} idempotency keys of the window")]
    public static partial void Assigned(ILogger logger, int partition, long offset, int epoch, int keys);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Partition {Partition} revoked: committed what it held")]
    public static partial void Revoked(ILogger logger, int partition);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Partition {Partition} lost to another writer; its uncommitted records will be written by the new owner")]
    public static partial void Lost(ILogger logger, int partition);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Committed version {Version} of {Table}: {Partitions} partition(s), {Files} file(s)")]
    public static partial void TableCommitted(ILogger logger, string table, long version, int partitions, int files);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Partition {Partition}: another writer committed to {Table} for it first; resuming where the lake says")]
    public static partial void CommitConflict(ILogger logger, int partition, string table);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Partition {Partition}: Kafka's end offset {High} is behind the lake's {Next} — a new (empty) cluster or a recreated topic. Starting epoch {Epoch} at offset {Low}.")]
    public static partial void NewEpoch(ILogger logger, int partition, long high, long next, int epoch, long low);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Partition {Partition}: Kafka's retention deleted offsets {Next} to {Low} (exclusive) before they were written to the lake; they are lost. Resuming at {Low}")]
    public static partial void RetentionGap(ILogger logger, int partition, long next, long low);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Commit to {Table} failed; retrying")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string table);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Stopping: committed every partition's records")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Reading where {Partitions} partition(s) stand from the tables' logs failed (attempt {Attempt}); retrying")]
    public static partial void RecoveryFailed(ILogger logger, Exception exception, int partitions, int attempt);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Resuming {Count} paused partition(s) being given up failed")]
    public static partial void ResumeFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "Writing the data files of partition {Partition} failed; retrying")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int partition);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Checkpoint of {Table} at version {Version} failed; readers replay more of the log until the next one")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception, string table, long version);

    [LoggerMessage(EventId = 16, Level = LogLevel.Critical, Message = "{Problem}")]
    public static partial void LegacyLayout(ILogger logger, string problem);

    [LoggerMessage(EventId = 17, Level = LogLevel.Error, Message = "The lake does not answer (attempt {Attempt}); asking again")]
    public static partial void LakeUnavailable(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Reading from Kafka or handing batches to the lake failed; what the writer holds stays in memory, trying again in {Delay}")]
    public static partial void LoopFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Could not read the suppression list (table erasures) again; the one read before stays in use")]
    public static partial void ErasedUsersRefreshFailed(ILogger logger, Exception exception);
}
