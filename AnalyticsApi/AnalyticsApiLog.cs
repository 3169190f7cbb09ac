namespace AnalyticsApi;

internal static partial class AnalyticsApiLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Readers: {Count} reader key(s); {Anonymous}")]
    public static partial void ReaderKeys(ILogger logger, int count, string anonymous);

    // The user id is never logged: the erasure's id and the key that asked name it.
    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Erasure {ErasureId} requested by {RequestedBy}: the user's events are suppressed from now on")]
    public static partial void ErasureRequested(ILogger logger, string erasureId, string requestedBy);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Erasure {ErasureId} completed: {Rows} rows removed, {Files} files rewritten")]
    public static partial void ErasureCompleted(ILogger logger, string erasureId, long rows, long files);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Erasure {ErasureId} failed")]
    public static partial void ErasureFailed(ILogger logger, Exception exception, string erasureId);
}
