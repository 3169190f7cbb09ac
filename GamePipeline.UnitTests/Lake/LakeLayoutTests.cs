using GamePipeline.Lake;

namespace GamePipeline.Tests.Lake;

public sealed class LakeLayoutTests
{
    [Theory]
    [InlineData("events", 0, 0)]
    [InlineData("events", 15, 3)]
    [InlineData("game-events", 123, 45)]
    public void A_transaction_app_id_reads_back_as_its_topic_partition_and_epoch(string topic, int partition, int epoch)
    {
        var appId = LakeLayout.TransactionAppId(topic, partition, epoch);

        Assert.True(LakeLayout.TryParseTransactionAppId(appId, topic, out var readPartition, out var readEpoch));
        Assert.Equal((partition, epoch), (readPartition, readEpoch));
    }

    [Theory]
    [InlineData("events-dlq-p0-e0")]
    [InlineData("other-p0-e0")]
    [InlineData("events-p-e0")]
    [InlineData("events-p0-e")]
    [InlineData("events-p0")]
    [InlineData("events-p+1-e0")]
    [InlineData("events-p0-e0x")]
    [InlineData("spark-streaming-query")]
    public void An_app_id_of_another_topic_or_application_is_not_read_as_ours(string appId)
    {
        Assert.False(LakeLayout.TryParseTransactionAppId(appId, "events", out _, out _));
    }

    [Fact]
    public void A_data_file_sits_in_its_date_partition_named_by_its_kafka_range_and_never_twice()
    {
        var date = new DateOnly(2026, 12, 7);

        var first = LakeLayout.DataFile(date, "events", 3, 1, 100, 199);
        var again = LakeLayout.DataFile(date, "events", 3, 1, 100, 199);

        Assert.StartsWith("dt=2026-12-07/part-events-p0003-e0001-0000000000000000100-0000000000000000199-", first);
        Assert.EndsWith(".parquet", first);
        Assert.NotEqual(first, again);
        Assert.Equal("2026-12-07", LakeLayout.PartitionValue(date));
    }
}
