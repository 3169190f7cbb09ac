using AnalyticsApi.Endpoints;
using AnalyticsApi.Queries;
using AnalyticsApi.Report;
using GamePipeline.Sql;
using GamePipeline.Sql.Trino;

namespace AnalyticsApi;

public static class AnalyticsApiExtensions
{
    public static WebApplicationBuilder AddAnalyticsApi(this WebApplicationBuilder builder)
    {
        // The catalog connection string says which engine answers: a Trino/Presto URL, or a DuckDB catalog file.
        var catalog = PipelineConnections.Required(builder.Configuration, PipelineConnections.Catalog);
        if (Uri.TryCreate(catalog, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https")
        {
            // The client retries 502/503/504 itself and bounds a query by QueryTimeout; a generic retry would
            // resubmit statements and cut long queries at its own timeout.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental
            builder.Services.AddHttpClient<TrinoSqlEngine>(http => http.Timeout = Timeout.InfiniteTimeSpan)
                .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
            builder.Services.AddSingleton(new TrinoOptions { Endpoint = endpoint });
            builder.Services.AddSingleton<ISqlEngine>(sp => sp.GetRequiredService<TrinoSqlEngine>());
        }
        else
        {
            builder.Services.AddSingleton<ISqlEngine>(_ => new DuckDbSqlEngine(catalog));
        }
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
