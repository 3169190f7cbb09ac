using System.Text.Json;
using AnalyticsApi.Endpoints;
using AnalyticsApi.Queries;
using AnalyticsApi.Report;
using GamePipeline.Sql;
using Scalar.AspNetCore;

namespace AnalyticsApi;

public static class AnalyticsApiExtensions
{
    public static WebApplicationBuilder AddAnalyticsApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ISqlEngine>(_ => new DuckDbSqlEngine(PipelineConnections.Required(builder.Configuration, PipelineConnections.Catalog)));
        builder.Services.AddSingleton<AnalyticsQueries>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapAnalyticsApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options.WithTitle("AnalyticsApi"));
        app.MapGet("/", () => TypedResults.Redirect("/report")).ExcludeFromDescription();
        app.MapTablesApi();
        app.MapInsightsApi();
        app.MapReport();
        return app;
    }
}
