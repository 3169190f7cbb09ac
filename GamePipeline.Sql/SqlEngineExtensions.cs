using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Sql;
using GamePipeline.Sql.Trino;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class SqlEngineExtensions
{
    /// <summary>
    /// Registers the SQL engine named by connection string <c>catalog</c>: a Trino (or Presto) URL
    /// (<c>https://trino:8443?user=…&amp;catalog=delta&amp;schema=default</c>), or a DuckDB catalog file.
    /// </summary>
    public static IHostApplicationBuilder AddSqlEngine(this IHostApplicationBuilder builder)
    {
        var catalog = PipelineConnections.Required(builder.Configuration, ResourceNames.Catalog);
        if (Uri.TryCreate(catalog, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https")
        {
            // The client retries 502/503/504 itself and bounds a query by QueryTimeout.
            builder.Services.AddProtocolHttpClient<TrinoSqlEngine>(Timeout.InfiniteTimeSpan);
            builder.Services.AddSingleton(TrinoOptions.FromConnectionString(catalog));
            builder.Services.AddSingleton<ISqlEngine>(sp => sp.GetRequiredService<TrinoSqlEngine>());
        }
        else
        {
            builder.Services.AddSingleton<ISqlEngine>(_ => new DuckDbSqlEngine(catalog));
        }

        return builder;
    }
}
