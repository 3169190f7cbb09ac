using AnalyticsApi.Endpoints;
using AnalyticsApi.Queries;
using AnalyticsApi.Report;
using GamePipeline.Sql;

namespace AnalyticsApi;

public static class AnalyticsApiExtensions
{
    public static WebApplicationBuilder AddAnalyticsApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ISqlEngine>(_ => new DuckDbSqlEngine(PipelineConnections.Required(builder.Configuration, PipelineConnections.Catalog)));
        builder.Services.AddSingleton<AnalyticsQueries>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddHttpApiDefaults();
        return builder;
    }

    public static WebApplication MapAnalyticsApi(this WebApplication app)
    {
        app.UseHttpApiDefaults("AnalyticsApi");
        app.MapGet("/", () => TypedResults.Redirect("/report")).ExcludeFromDescription();
        app.MapTablesApi();
        app.MapInsightsApi();
        app.MapReport();
        return app;
    }
}
