namespace GameApi;

internal static partial class GameApiLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Kafka is down, answering 503 until it is back: {Reason}")]
    public static partial void KafkaDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Kafka is back (was down: {Reason})")]
    public static partial void KafkaBack(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Draining: waiting up to {Timeout} for {Count} queued event(s) to be acknowledged")]
    public static partial void Draining(ILogger logger, TimeSpan timeout, int count);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Shutdown left {Count} event(s) unacknowledged by Kafka")]
    public static partial void DrainIncomplete(ILogger logger, int count);

    // The client's mistake, one per request: counted in gamepipeline.events.rejected, logged only when asked for.
    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Rejected an event batch: {Reason}")]
    public static partial void BatchRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Refusing events (503): {Reason}")]
    public static partial void WritersBehind(ILogger logger, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "The lake writers have caught up; accepting events again")]
    public static partial void WritersCaughtUp(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "How far the lake writers trail Kafka is unknown for now ({Code}: {Reason})")]
    public static partial void BacklogUnknown(ILogger logger, Confluent.Kafka.ErrorCode code, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Backpressure is off (Ingest:Backpressure:Enabled=false): events are accepted however far the lake writers trail, and Kafka's retention may drop some unwritten")]
    public static partial void BackpressureOff(ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Kafka's retention limits are not configured (Ingest:Backpressure:RetentionBytes/RetentionBatches): events are refused only once Kafka has begun dropping a partition's oldest records and the writers trail most of what it keeps")]
    public static partial void RetentionUnknown(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Write keys are required: {Count} key(s), for sources {Sources}")]
    public static partial void WriteKeysRequired(ILogger logger, int count, string sources);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Write keys are optional (WriteKeys:Required=false): a request without a key is accepted and its events have no sender; a key that is sent is still checked ({Count} key(s), for sources {Sources})")]
    public static partial void WriteKeysOptional(ILogger logger, int count, string sources);
}
