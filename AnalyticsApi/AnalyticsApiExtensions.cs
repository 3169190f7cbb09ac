using AnalyticsApi.Auth;
using AnalyticsApi.Endpoints;
using AnalyticsApi.Erasure;
using AnalyticsApi.Queries;
using AnalyticsApi.Report;
using GamePipeline.Sql;

namespace AnalyticsApi;

public static class AnalyticsApiExtensions
{
    public static WebApplicationBuilder AddAnalyticsApi(this WebApplicationBuilder builder)
    {
        // The catalog connection string says which engine answers: a Trino/Presto URL, or a DuckDB catalog file.
        builder.AddSqlEngine();
        builder.Services.AddSingleton<AnalyticsQueries>();
        // Versions and history come from the tables' Delta logs, which the lake connection string locates.
        builder.AddLakeStorage();
        builder.Services.AddSingleton<TableVersions>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddHttpApiDefaults();
        builder.Services.AddReaderKeys();
        builder.Services.AddOptions<ErasureOptions>().BindConfiguration(ErasureOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Erasures>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Erasures>());
        return builder;
    }

    public static WebApplication MapAnalyticsApi(this WebApplication app)
    {
        app.UseHttpApiDefaults("AnalyticsApi");
        var readers = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReaderKeyOptions>>().Value;
        AnalyticsApiLog.ReaderKeys(app.Logger, readers.Keys.Count, readers.AllowAnonymousOnLoopback ? "this machine (loopback) reads without a key" : "every request needs a key");
        app.MapGet("/", () => TypedResults.Redirect("/report")).ExcludeFromDescription();
        app.MapTablesApi();
        app.MapInsightsApi();
        app.MapUsersApi();
        app.MapReport();
        return app;
    }
}
