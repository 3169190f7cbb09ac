using Confluent.Kafka;
using GamePipeline.Kafka;
using Microsoft.Extensions.Options;

namespace GameApi.Ingest;

/// <summary>
/// Knows how far the lake writers trail each partition of the events topic, so that GameApi refuses events (503)
/// before Kafka's retention could drop any it acknowledged but no writer has committed to the lake: a 2xx must not
/// depend on the writers keeping up. Every <see cref="BackpressureOptions.CheckInterval"/> it reads each
/// partition's start and end and the writers' committed position. Events are refused while any partition's
/// unwritten part is over <see cref="BackpressureOptions.MaxShareOfRetention"/> of what Kafka keeps of it, and
/// accepted again, by itself, as soon as the writers have caught up. What Kafka keeps: once it has started dropping
/// a partition's oldest records, exactly what it holds now (its start to its end, whatever the retention rule);
/// before that, the configured limits, with the unwritten records' size estimated from what GameApi's producer
/// put on the wire per record (librdkafka's statistics: compressed, with request overhead — on the safe side).
/// </summary>
public sealed class WriterBacklog(
    IOptions<BackpressureOptions> backpressure,
    IOptions<IngestOptions> ingest,
    IConfiguration configuration,
    KafkaStatisticsRegistry statistics,
    GameApiMetrics metrics,
    ILogger<WriterBacklog> logger) : BackgroundService
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    // Before the producer's first statistics: an event's JSON with room for its key, headers and batch overhead.
    private const double DefaultBytesPerRecord = 2_048;

    private readonly BackpressureOptions _options = backpressure.Value;
    private readonly string _topic = ingest.Value.Topic;
    private volatile string? _refusal;
    private List<TopicPartition>? _partitions;
    private long _partitionsRefreshAt;

    /// <summary>Why events are refused now; null while they are accepted.</summary>
    public string? RefusalReason => _refusal;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            GameApiLog.BackpressureOff(logger);
            return;
        }

        if (!_options.LimitsKnown)
        {
            GameApiLog.RetentionUnknown(logger);
        }

        await Task.Yield();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = configuration.GetConnectionString(GamePipeline.Contracts.ResourceNames.Kafka),
            // Reads the writers' committed offsets; never subscribes, so it never joins their group.
            GroupId = _options.WriterGroup,
            EnableAutoCommit = false,
        }).Build();
        using var timer = new PeriodicTimer(_options.CheckInterval);
        var unknown = false;
        do
        {
            try
            {
                Check(consumer);
                unknown = false;
            }
            catch (KafkaException e)
            {
                // Kafka itself is down: KafkaAvailability refuses events meanwhile; keep the last verdict, and say
                // so once, not every check.
                if (!unknown)
                {
                    GameApiLog.BacklogUnknown(logger, e.Error.Code, e.Error.Reason);
                }

                unknown = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Check(IConsumer<Ignore, Ignore> consumer)
    {
        var partitions = Partitions(consumer);
        var committed = consumer.Committed(partitions, QueryTimeout).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        var bytesPerRecord = BytesPerRecord();
        string? refusal = null;
        foreach (var partition in partitions)
        {
            var (low, high) = (consumer.QueryWatermarkOffsets(partition, QueryTimeout) is var w ? (w.Low.Value, w.High.Value) : default);
            // Nothing committed yet (no writer has run): everything Kafka holds is unwritten.
            var written = Math.Max(committed.GetValueOrDefault(partition.Partition.Value, Offset.Unset.Value), low);
            var unwritten = Math.Max(0, high - written);
            var unwrittenBytes = (long)(unwritten * bytesPerRecord);
            metrics.Unwritten(partition.Partition.Value, unwritten);
            var over = low > 0
                ? OverShare(unwritten, high - low)
                : OverShare(unwrittenBytes, _options.RetentionBytes) || OverShare(unwritten, _options.RetentionBatches);
            if (over)
            {
                refusal ??= $"the lake writers have not written {unwritten} records of partition {partition.Partition.Value} "
                    + (low > 0 ? $"of the {high - low} Kafka keeps now" : $"(about {unwrittenBytes / 1024} KiB; Kafka keeps {Limits()} per partition)")
                    + "; accepting more could let Kafka drop events before they reach the lake";
            }
        }

        var before = _refusal;
        _refusal = refusal;
        if (before is null && refusal is not null)
        {
            GameApiLog.WritersBehind(logger, refusal);
        }
        else if (before is not null && refusal is null)
        {
            GameApiLog.WritersCaughtUp(logger);
        }
    }

    /// <summary>The topic's partitions, from its metadata, looked up again each minute (a topic may grow).</summary>
    private List<TopicPartition> Partitions(IConsumer<Ignore, Ignore> consumer)
    {
        if (_partitions is null || Environment.TickCount64 > _partitionsRefreshAt)
        {
            using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            var metadata = admin.GetMetadata(_topic, QueryTimeout).Topics.Single();
            _partitions = [.. metadata.Partitions.Select(p => new TopicPartition(_topic, p.PartitionId))];
            _partitionsRefreshAt = Environment.TickCount64 + 60_000;
        }

        return _partitions;
    }

    /// <summary>Bytes per record as Kafka stores them, at most: what GameApi's producer put on the wire per record (statistics: tx_bytes / txmsgs).</summary>
    private double BytesPerRecord() =>
        statistics.Latest(GameApiExtensions.ProducerClientName) is { TransmittedMessages: > 0 } sent
            ? (double)sent.TransmittedBytes / sent.TransmittedMessages
            : DefaultBytesPerRecord;

    private bool OverShare(long value, long? limit) => limit is { } l && value >= _options.MaxShareOfRetention * l;

    private string Limits() => string.Join(" or ", new[]
    {
        _options.RetentionBytes is { } bytes ? $"{bytes / 1024} KiB" : null,
        _options.RetentionBatches is { } batches ? $"{batches} record batches" : null,
    }.Where(l => l is not null));
}
