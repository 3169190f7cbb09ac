using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using GamePipeline.Lake;
using StreamWriter.Writing;

namespace StreamWriter;

/// <summary>The consume loop: one dedicated thread owns the consumer and the <see cref="LakeWriter"/>.</summary>
public sealed class StreamWriterWorker(
    IConsumer<string?, ReadOnlyMemory<byte>> consumer,
    LakeWriter writer,
    ILakeStorage storage,
    IOptions<StreamWriterOptions> options,
    ILogger<StreamWriterWorker> logger) : BackgroundService
{
    private static readonly TimeSpan DueCheckInterval = TimeSpan.FromMilliseconds(20);

    // The clock is read every 16 records, not for every record (where it shows in a profile of bench/writer): a due
    // check is then late by at most 16 records' gaps.
    private const int RecordsPerClockRead = 16;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        StreamWriterLog.Starting(logger, settings.Topic, storage.Location, writer.WriterId, settings.GroupId);
        consumer.Subscribe(settings.Topic);
        var lastCheck = Stopwatch.GetTimestamp();
        var records = 0L;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // While a backlog is read in groups, the group's last records are followed by nothing until
                    // the next group is resumed: waiting a whole poll for more would hold up its commits and the resume.
                    var record = consumer.Consume(writer.ReadingInGroups ? DueCheckInterval : settings.PollTimeout);
                    if (record is { IsPartitionEOF: false })
                    {
                        writer.Add(consumer, record);
                    }

                    // What is due changes slowly; looking at every partition for every record would cost more than the record.
                    if (record is null || (++records % RecordsPerClockRead == 0 && Stopwatch.GetElapsedTime(lastCheck) >= DueCheckInterval))
                    {
                        lastCheck = Stopwatch.GetTimestamp();
                        writer.CommitDue(consumer);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or KafkaException or InvalidOperationException)
                {
                    // The lake or Kafka failed us; what we hold stays in memory and is committed on a later try.
                    StreamWriterLog.LoopFailed(logger, e, settings.RetryDelay);
                    stoppingToken.WaitHandle.WaitOne(settings.RetryDelay);
                }
            }
        }
        finally
        {
            writer.CommitAll(consumer);
            StreamWriterLog.Stopped(logger);
            // Leaves the group at once, so the partitions move to the other writers without a session timeout.
            consumer.Close();
        }
    }
}
