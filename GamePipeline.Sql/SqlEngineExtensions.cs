using GamePipeline.Sql;
using GamePipeline.Sql.Trino;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class SqlEngineExtensions
{
    /// <summary>
    /// Registers the SQL engine named by connection string <c>catalog</c>: a Trino (or Presto) URL
    /// (<c>https://trino:8443?user=…&amp;catalog=hive&amp;schema=default</c>), or a DuckDB catalog file.
    /// Returns the Trino endpoint when it is Trino.
    /// </summary>
    public static Uri? AddSqlEngine(this IHostApplicationBuilder builder)
    {
        var catalog = PipelineConnections.Required(builder.Configuration, PipelineConnections.Catalog);
        if (Uri.TryCreate(catalog, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https")
        {
            // The client retries 502/503/504 itself and bounds a query by QueryTimeout; a generic retry would
            // resubmit statements and cut long queries at its own timeout.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental
            builder.Services.AddHttpClient<TrinoSqlEngine>(http => http.Timeout = Timeout.InfiniteTimeSpan)
                .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
            builder.Services.AddSingleton(TrinoOptions.FromConnectionString(catalog));
            builder.Services.AddSingleton<ISqlEngine>(sp => sp.GetRequiredService<TrinoSqlEngine>());
            return endpoint;
        }

        builder.Services.AddSingleton<ISqlEngine>(_ => new DuckDbSqlEngine(catalog));
        return null;
    }
}
