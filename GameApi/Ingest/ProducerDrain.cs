using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace GameApi.Ingest;

/// <summary>On shutdown, after Kestrel has finished its requests, waits for every queued event to be acknowledged.</summary>
public sealed class ProducerDrain(IProducer<string, byte[]> producer, IOptions<IngestOptions> options, ILogger<ProducerDrain> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.DrainTimeout;
        GameApiLog.Draining(logger, timeout, producer.Flush(TimeSpan.Zero));
        var left = producer.Flush(timeout);
        if (left > 0)
        {
            GameApiLog.DrainIncomplete(logger, left);
        }

        return Task.CompletedTask;
    }
}
