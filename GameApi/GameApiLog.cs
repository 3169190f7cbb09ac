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

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Rejected an event batch: {Reason}")]
    public static partial void BatchRejected(ILogger logger, string reason);
}
