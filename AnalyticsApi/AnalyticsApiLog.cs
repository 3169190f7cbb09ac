namespace AnalyticsApi;

internal static partial class AnalyticsApiLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Readers: {Count} reader key(s); {Anonymous}")]
    public static partial void ReaderKeys(ILogger logger, int count, string anonymous);
}
