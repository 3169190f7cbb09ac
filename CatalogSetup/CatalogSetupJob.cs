using System.Diagnostics;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using GamePipeline.Sql;
using GamePipeline.Sql.Trino;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace CatalogSetup;

/// <summary>Registers every lake table in the catalog (idempotent), then the process exits: 0 when all succeeded.</summary>
public sealed class CatalogSetupJob(ICatalog catalog, ILakeStorage lake, ILogger<CatalogSetupJob> logger)
{
    public const string ActivitySourceName = "GamePipeline.CatalogSetup";
    private static readonly ActivitySource Source = new(ActivitySourceName);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity("register lake tables");
        CatalogSetupLog.Starting(logger, catalog.Description, LakeTables.All.Count);
        foreach (var table in LakeTables.All)
        {
            try
            {
                // A Delta table, before the writer's first commit, so that it answers (empty) from the start and a
                // catalog that reads its log (Trino's register_table) finds one.
                await new DeltaCommitter(lake, table.Name, LakeDeltaTables.Definition(table)).EnsureCreatedAsync(cancellationToken);
                await catalog.RegisterAsync(table, cancellationToken);
                CatalogSetupLog.Registered(logger, table.Name, table.Columns.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CatalogSetupLog.Failed(logger, e, table.Name);
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                return 1;
            }
        }

        CatalogSetupLog.Done(logger);
        return 0;
    }
}

internal static partial class CatalogSetupLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registering {Count} tables in {Catalog}")]
    public static partial void Starting(ILogger logger, string catalog, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Registered {Table} ({Columns} columns + dt)")]
    public static partial void Registered(ILogger logger, string table, int columns);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Registering {Table} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string table);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Catalog ready")]
    public static partial void Done(ILogger logger);
}

/// <summary>Section <c>CatalogSetup</c>.</summary>
public sealed class CatalogSetupOptions
{
    public const string Section = "CatalogSetup";

    /// <summary>
    /// The lake as the SQL engine reads it, where the tables point (e.g. <c>hdfs://namenode:8020/lake</c>);
    /// default: the lake connection string. Only Trino uses it (DuckDB reads the lake directory itself).
    /// </summary>
    public string? LakeLocation { get; set; }
}

public static class CatalogSetupExtensions
{
    public static IHostApplicationBuilder AddCatalogSetup(this IHostApplicationBuilder builder)
    {
        builder.AddLakeStorage();
        builder.Services.AddOptions<CatalogSetupOptions>().BindConfiguration(CatalogSetupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddSqlEngine();
        builder.Services.AddSingleton<ICatalog>(sp => sp.GetRequiredService<ISqlEngine>() switch
        {
            // Trino: tables registered at the lake's location as Trino reads it (hdfs://…), not as we write it.
            TrinoSqlEngine trino => new TrinoCatalog(
                trino,
                sp.GetRequiredService<IOptions<CatalogSetupOptions>>().Value.LakeLocation is { Length: > 0 } location
                    ? location
                    : PipelineConnections.Required(builder.Configuration, ResourceNames.Lake)),
            _ => new DuckDbCatalog(
                PipelineConnections.Required(builder.Configuration, ResourceNames.Catalog),
                PipelineConnections.Directory(builder.Configuration, ResourceNames.Lake)),
        });

        builder.Services.AddSingleton<CatalogSetupJob>();
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(CatalogSetupJob.ActivitySourceName));
        return builder;
    }

    /// <summary>Starts the host (telemetry), runs the job, stops the host so telemetry is flushed, returns the exit code.</summary>
    public static async Task<int> RunCatalogSetupAsync(this IHost host)
    {
        await host.StartAsync();
        var exitCode = await host.Services.GetRequiredService<CatalogSetupJob>().RunAsync(CancellationToken.None);
        await host.StopAsync();
        return exitCode;
    }
}
