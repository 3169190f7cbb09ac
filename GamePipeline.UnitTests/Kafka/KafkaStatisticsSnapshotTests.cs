using GamePipeline.Kafka;

namespace GamePipeline.Tests.Kafka;

public sealed class KafkaStatisticsSnapshotTests
{
    [Fact]
    public void Parse_sums_in_flight_requests_over_brokers_and_lag_over_real_partitions()
    {
        const string json = """
        {"name":"c#consumer-1","type":"consumer","msg_cnt":3,"msg_size":120,"tx_bytes":1000,"rx_bytes":2000,
         "brokers":{"b1":{"outbuf_cnt":1,"waitresp_cnt":2},"b2":{"outbuf_cnt":0,"waitresp_cnt":4}},
         "topics":{"events":{"partitions":{"0":{"consumer_lag":5},"1":{"consumer_lag":-1},"-1":{"consumer_lag":99}}}}}
        """;

        var snapshot = KafkaStatisticsSnapshot.Parse("c", json);

        Assert.Equal(new KafkaStatisticsSnapshot("c", "consumer", 3, 120, 7, 1000, 2000, 5), snapshot);
    }
}
