using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace GamePipeline.Kafka;

internal static partial class KafkaLog
{
    [LoggerMessage(EventId = 1001, Message = "Kafka client {ClientName} error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, LogLevel level, string clientName, ErrorCode code, string reason);

    [LoggerMessage(EventId = 1002, Message = "librdkafka [{ClientName}] {Facility}: {Text}")]
    public static partial void Native(ILogger logger, LogLevel level, string clientName, string facility, string text);

    public static LogLevel ToLogLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
