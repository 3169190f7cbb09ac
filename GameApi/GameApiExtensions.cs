using Confluent.Kafka;
using GameApi.Auth;
using GameApi.Endpoints;
using GameApi.Ingest;
using GamePipeline.Contracts;
using GamePipeline.HttpApi.Keys;
using Microsoft.Extensions.Options;

namespace GameApi;

public static class GameApiExtensions
{
    public const string ProducerClientName = "gameapi-events";

    /// <summary>The authentication scheme and policy of write keys.</summary>
    public const string WriteKeyScheme = "WriteKey";

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
        builder.Services.AddWriteKeys();
        builder.Services.AddIngestRateLimits();
        return builder;
    }

    /// <summary>Write keys: the <c>WriteKey</c> scheme checks a request's key; the policy of the same name decides whether it must have one.</summary>
    private static void AddWriteKeys(this IServiceCollection services)
    {
        services.AddOptions<WriteKeyOptions>().BindConfiguration(WriteKeyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WriteKeyOptions>, WriteKeyOptionsValidation>();
        services.AddKeyAuthentication<WriteKeyOptions>(WriteKeyScheme, options => options.Keys, KeyCarrier.BasicUserName, "GameApi write key",
            challenged: context => context.RequestServices.GetRequiredService<GameApiMetrics>().Rejected("unauthorized"));
        services.AddAuthorizationBuilder().AddPolicy(WriteKeyScheme, policy => policy.RequireAssertion(context =>
            context.User.Identity?.IsAuthenticated == true
            || (context.Resource is HttpContext http
                && !http.RequestServices.GetRequiredService<IOptions<WriteKeyOptions>>().Value.Required
                && KeyAuthenticationHandler.PresentedKey(http.Request, KeyCarrier.BasicUserName) is null)));
    }

    public static WebApplication MapGameApi(this WebApplication app)
    {
        app.UseHttpApiDefaults("GameApi");
        app.UseRateLimiter();
        var writeKeys = app.Services.GetRequiredService<IOptions<WriteKeyOptions>>().Value;
        var sources = string.Join(", ", writeKeys.Keys.Select(k => k.Name).Distinct());
        if (writeKeys.Required)
        {
            GameApiLog.WriteKeysRequired(app.Logger, writeKeys.Keys.Count, sources);
        }
        else
        {
            GameApiLog.WriteKeysOptional(app.Logger, writeKeys.Keys.Count, sources);
        }

        app.MapGameRoutes();
        app.MapEventBatchApi();
        return app;
    }
}
