using Confluent.Kafka;
using GameApi.Endpoints;
using GameApi.Ingest;
using GamePipeline.Contracts;

namespace GameApi;

public static class GameApiExtensions
{
    public const string ProducerClientName = "gameapi-events";

    public static WebApplicationBuilder AddGameApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var ingest = builder.Configuration.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions();

        builder.AddKafkaProducer<string, byte[]>(ResourceNames.Kafka, ProducerClientName, defaults: new ProducerConfig
        {
            // Every request awaits its acknowledgement, so lingering only adds latency; under load batches form anyway.
            LingerMs = 0,
            CompressionType = CompressionType.Lz4,
        }, configureSettings: settings =>
        {
            // What a 2xx promises; configuration cannot change it.
            // Durable in Kafka: every in-sync replica has the event, and retries never duplicate it.
            settings.Config.Acks = Acks.All;
            settings.Config.EnableIdempotence = true;
            settings.Config.MessageTimeoutMs = (int)ingest.AckTimeout.TotalMilliseconds;
            // Room for the key and headers beside the largest batch record.
            settings.Config.MessageMaxBytes = ingest.MaxRecordBytes + 64 * 1024;
            settings.Config.SocketNagleDisable = true;
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<GameApiMetrics>();
        builder.Services.AddSingleton<EventFactory>();
        builder.Services.AddSingleton<EventPublisher>();
        builder.Services.AddOptions<BackpressureOptions>()
            .BindConfiguration(BackpressureOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<WriterBacklog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WriterBacklog>());
        builder.Services.AddSingleton<KafkaAvailability>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<KafkaAvailability>());
        builder.Services.AddHostedService<ProducerDrain>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(GameApiMetrics.MeterName));

        builder.AddHttpApiDefaults();
        builder.Services.AddExceptionHandler<IngestUnavailableExceptionHandler>();
        return builder;
    }

    public static WebApplication MapGameApi(this WebApplication app)
    {
        app.UseHttpApiDefaults("GameApi");
        app.MapGameRoutes();
        app.MapEventBatchApi();
        return app;
    }
}
