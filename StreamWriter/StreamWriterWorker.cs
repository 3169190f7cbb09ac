using Confluent.Kafka;
using Microsoft.Extensions.Options;
using StreamWriter.Lake;
using StreamWriter.Writing;

namespace StreamWriter;

/// <summary>The consume loop: one dedicated thread owns the consumer and the <see cref="LakeWriter"/>.</summary>
public sealed class StreamWriterWorker(
    IConsumer<string?, byte[]> consumer,
    LakeWriter writer,
    ILakeStorage storage,
    IOptions<StreamWriterOptions> options,
    ILogger<StreamWriterWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        StreamWriterLog.Starting(logger, settings.Topic, storage.Location, writer.WriterId, settings.GroupId);
        consumer.Subscribe(settings.Topic);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var record = consumer.Consume(settings.PollTimeout);
                    if (record is { IsPartitionEOF: false })
                    {
                        writer.Add(consumer, record);
                    }

                    writer.CommitDue(consumer);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or KafkaException or InvalidOperationException)
                {
                    // The lake or Kafka failed us; what we hold stays in memory and is committed on a later try.
                    StreamWriterLog.CommitFailed(logger, e, -1);
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
