using System.Diagnostics;
using Confluent.Kafka;

namespace GamePipeline.Kafka;

/// <summary>Adds a producer span, trace-context headers and metrics to every produce.</summary>
internal sealed class InstrumentedProducer<TKey, TValue>(IProducer<TKey, TValue> inner, string clientName) : IProducer<TKey, TValue>
{
    public Handle Handle => inner.Handle;

    public string Name => inner.Name;

    public async Task<DeliveryResult<TKey, TValue>> ProduceAsync(TopicPartition topicPartition, Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        using var activity = Prepare(topicPartition.Topic, message);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await inner.ProduceAsync(topicPartition, message, cancellationToken);
            Delivered(activity, result, started);
            return result;
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            Failed(activity, topicPartition.Topic, e, started);
            throw;
        }
    }

    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        ProduceAsync(new TopicPartition(topic, Partition.Any), message, cancellationToken);

    public void Produce(TopicPartition topicPartition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null)
    {
        var activity = Prepare(topicPartition.Topic, message);
        var started = Stopwatch.GetTimestamp();
        try
        {
            inner.Produce(topicPartition, message, report =>
            {
                if (report.Error.IsError)
                {
                    Failed(activity, report.Topic, new KafkaException(report.Error), started);
                }
                else
                {
                    Delivered(activity, report, started);
                }

                activity?.Dispose();
                deliveryHandler?.Invoke(report);
            });
        }
        catch (Exception e) when (e is KafkaException or ArgumentException or InvalidOperationException)
        {
            Failed(activity, topicPartition.Topic, e, started);
            activity?.Dispose();
            throw;
        }
    }

    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null) =>
        Produce(new TopicPartition(topic, Partition.Any), message, deliveryHandler);

    private Activity? Prepare(string topic, Message<TKey, TValue> message)
    {
        var activity = KafkaTelemetry.StartSend(topic, clientName, message.Key);
        message.Headers ??= [];
        KafkaTelemetry.InjectTraceContext(activity ?? Activity.Current, message.Headers);
        return activity;
    }

    private static void Delivered(Activity? activity, DeliveryResult<TKey, TValue> result, long started)
    {
        KafkaTelemetry.RecordDelivered(activity, result.TopicPartitionOffset);
        var tags = KafkaTelemetry.Tags("send", result.Topic);
        KafkaTelemetry.SentMessages.Add(1, tags);
        KafkaTelemetry.OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    private static void Failed(Activity? activity, string topic, Exception error, long started)
    {
        var errorType = error is KafkaException kafka ? kafka.Error.Code.ToString() : error.GetType().Name;
        KafkaTelemetry.RecordFailure(activity, error, errorType);
        var tags = KafkaTelemetry.Tags("send", topic, errorType);
        KafkaTelemetry.SentMessages.Add(1, tags);
        KafkaTelemetry.OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    public int Poll(TimeSpan timeout) => inner.Poll(timeout);

    public int Flush(TimeSpan timeout) => inner.Flush(timeout);

    public void Flush(CancellationToken cancellationToken = default) => inner.Flush(cancellationToken);

    public void InitTransactions(TimeSpan timeout) => inner.InitTransactions(timeout);

    public void BeginTransaction() => inner.BeginTransaction();

    public void CommitTransaction(TimeSpan timeout) => inner.CommitTransaction(timeout);

    public void CommitTransaction() => inner.CommitTransaction();

    public void AbortTransaction(TimeSpan timeout) => inner.AbortTransaction(timeout);

    public void AbortTransaction() => inner.AbortTransaction();

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) =>
        inner.SendOffsetsToTransaction(offsets, groupMetadata, timeout);

    public int AddBrokers(string brokers) => inner.AddBrokers(brokers);

    public void SetSaslCredentials(string username, string password) => inner.SetSaslCredentials(username, password);

    public void Dispose() => inner.Dispose();
}
