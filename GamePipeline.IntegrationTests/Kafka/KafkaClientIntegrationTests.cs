using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using GamePipeline.Hosting.Kafka;
using GamePipeline.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace GamePipeline.Tests.Kafka;

public sealed class KafkaClientIntegrationTests : IAsyncLifetime
{
    private const string Topic = "integration";
    private EmbeddedKafkaServer _kafka = null!;

    public ValueTask InitializeAsync()
    {
        _kafka = EmbeddedKafkaServer.Start(port: 0, topics: [new EmbeddedKafkaTopic(Topic, 1)]);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _kafka.DisposeAsync();

    private static IHost BuildHost(string bootstrapServers, string groupId = "integration-tests")
    {
        IHost? host = null;
        InProcessHosts.Start(() => host = BuildUnsharedHost(bootstrapServers, groupId));
        return host!;
    }

    private static IHost BuildUnsharedHost(string bootstrapServers, string groupId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = bootstrapServers,
            ["Kafka:Clients:kafka-producer:StatisticsInterval"] = "00:00:00.200",
            ["Kafka:Clients:kafka-producer:HealthCheckTimeout"] = "00:00:01",
            ["Kafka:Clients:kafka-producer:Config:message.timeout.ms"] = "3000",
        });
        builder.AddKafkaProducer<string, string>("kafka");
        builder.AddKafkaConsumer<string, string>("kafka", configureSettings: settings =>
        {
            settings.Config.GroupId = groupId;
            settings.Config.AutoOffsetReset = AutoOffsetReset.Earliest;
        });
        return builder.Build();
    }

    [Fact]
    public async Task Trace_context_crosses_kafka_from_producer_span_to_consumer_span()
    {
        using var recorder = new ActivityRecorder(KafkaTelemetry.ActivitySourceName, "tests");
        using var source = new ActivitySource("tests");
        using var host = BuildHost(_kafka.BootstrapServers);
        var producer = host.Services.GetRequiredService<IProducer<string, string>>();
        var consumer = host.Services.GetRequiredService<IConsumer<string, string>>();

        ActivityTraceId traceId;
        DeliveryResult<string, string> delivered;
        using (var request = source.StartActivity("request"))
        {
            traceId = request!.TraceId;
            delivered = await producer.ProduceAsync(Topic, new Message<string, string> { Key = "player-1", Value = "sword" });
        }

        consumer.Assign(delivered.TopicPartitionOffset);
        var consumed = consumer.Consume(TimeSpan.FromSeconds(10));

        Assert.NotNull(consumed);
        Assert.Equal("sword", consumed.Message.Value);
        var traceParent = Encoding.UTF8.GetString(consumed.Message.Headers.GetLastBytes("traceparent"));
        Assert.Contains(traceId.ToHexString(), traceParent);

        var spans = recorder.InTrace(traceId);
        var send = Assert.Single(spans, a => a.OperationName == $"send {Topic}");
        var receive = Assert.Single(spans, a => a.OperationName == $"receive {Topic}");
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(ActivityKind.Consumer, receive.Kind);
        Assert.Equal(send.SpanId, receive.ParentSpanId);
        Assert.Equal("kafka", send.GetTagItem("messaging.system"));
        Assert.Equal(Topic, send.GetTagItem("messaging.destination.name"));
        Assert.Equal(delivered.Offset.Value, send.GetTagItem("messaging.kafka.offset"));
        Assert.Equal("integration-tests", receive.GetTagItem("messaging.consumer.group.name"));
    }

    [Fact]
    public async Task Statistics_from_librdkafka_are_recorded_per_client()
    {
        using var host = BuildHost(_kafka.BootstrapServers);
        var producer = host.Services.GetRequiredService<IProducer<string, string>>();
        await producer.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "v" });

        var registry = host.Services.GetRequiredService<KafkaStatisticsRegistry>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (registry.Latest("kafka-producer") is not { TransmittedBytes: > 0 } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var snapshot = registry.Latest("kafka-producer");
        Assert.NotNull(snapshot);
        Assert.Equal("producer", snapshot.Type);
        Assert.True(snapshot.TransmittedBytes > 0);
    }

    [Fact]
    public async Task Settings_come_from_the_services_defaults_then_configuration_then_the_connection_string_then_code_which_wins()
    {
        KafkaProducerSettings? seenByCode = null;
        IHost? host = null;
        InProcessHosts.Start(() =>
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:kafka"] = _kafka.BootstrapServers,
                ["Kafka:Clients:ordered:ConnectionString"] = $"127.0.0.1:{ClosedPort()}",
                ["Kafka:Clients:ordered:Config:linger.ms"] = "7",
                ["Kafka:Clients:ordered:Config:client.id"] = "from-configuration",
            });
            builder.AddKafkaProducer<string, string>("kafka", "ordered", defaults: new ProducerConfig { LingerMs = 3, BatchNumMessages = 500 }, configureSettings: settings =>
            {
                seenByCode = settings;
                Assert.Equal(7, settings.Config.LingerMs);
                Assert.Equal(500, settings.Config.BatchNumMessages);
                settings.Config.ClientId = "from-code";
            });
            host = builder.Build();
        });
        using var _ = host;

        var producer = host!.Services.GetRequiredService<IProducer<string, string>>();

        Assert.Equal(_kafka.BootstrapServers, seenByCode!.ConnectionString);
        Assert.StartsWith("from-code#producer", producer.Name);
        var delivered = await producer.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = "v" });
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
    }

    [Fact]
    public async Task Keyed_clients_are_separate_services_with_their_own_settings_and_health_checks()
    {
        IHost? host = null;
        InProcessHosts.Start(() =>
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:kafka"] = _kafka.BootstrapServers,
                ["Kafka:Clients:audit:Config:client.id"] = "audit",
                ["Kafka:Clients:audit:DisableHealthChecks"] = "true",
            });
            builder.AddKeyedKafkaProducer<string, string>("audit", "kafka");
            builder.AddKeyedKafkaProducer<string, string>("events", "kafka", configureSettings: settings => settings.Config.ClientId = "events");
            host = builder.Build();
        });
        using var _ = host;

        var audit = host!.Services.GetRequiredKeyedService<IProducer<string, string>>("audit");
        var events = host.Services.GetRequiredKeyedService<IProducer<string, string>>("events");
        Assert.StartsWith("audit#", audit.Name);
        Assert.StartsWith("events#", events.Name);
        Assert.Null(host.Services.GetService<IProducer<string, string>>());
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(["kafka-events"], report.Entries.Keys);
    }

    [Fact]
    public async Task Health_check_reports_healthy_when_kafka_answers()
    {
        using var host = BuildHost(_kafka.BootstrapServers);
        var health = host.Services.GetRequiredService<HealthCheckService>();

        // A client's first check also waits for its first connection; on a loaded machine that can outlast the
        // check's timeout once. Healthy must follow without anything else changing.
        HealthReport report = await health.CheckHealthAsync();
        for (var attempt = 0; attempt < 5 && report.Status != HealthStatus.Healthy; attempt++)
        {
            report = await health.CheckHealthAsync();
        }

        Assert.Equal(HealthStatus.Healthy, report.Entries["kafka-kafka-producer"].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["kafka-kafka-consumer"].Status);
    }

    [Fact]
    public async Task Health_check_reports_unhealthy_when_kafka_is_unreachable()
    {
        using var host = BuildHost($"127.0.0.1:{ClosedPort()}");

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["kafka-kafka-producer"].Status);
        Assert.Contains("Kafka unreachable", report.Entries["kafka-kafka-producer"].Description);
    }

    [Fact]
    public async Task Hosting_health_check_fails_while_the_broker_is_down_and_recovers_when_it_returns()
    {
        using var check = new KafkaProduceHealthCheck(_kafka.BootstrapServers);
        var context = new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("kafka", check, HealthStatus.Unhealthy, []),
        };

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
        _kafka.Cluster.SetBrokerDown(1);
        try
        {
            Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context)).Status);
        }
        finally
        {
            _kafka.Cluster.SetBrokerUp(1);
        }

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
