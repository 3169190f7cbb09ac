using AnalyticsApi.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AnalyticsApi.Endpoints;

/// <summary>The seed's Presto session as HTTP: show tables, describe, count, requests per host.</summary>
public static class TablesApi
{
    public static IEndpointRouteBuilder MapTablesApi(this IEndpointRouteBuilder app)
    {
        var tables = app.MapGroup("/api/tables").WithTags("Tables");
        tables.MapGet("", ListTables).WithName("ListTables").WithSummary("The catalog's tables (show tables).");
        tables.MapGet("/{table}/columns", GetColumns).WithName("GetColumns").WithSummary("A table's columns and types (describe).").ProducesProblem(StatusCodes.Status404NotFound);
        tables.MapGet("/{table}/count", GetCount).WithName("GetCount").WithSummary("A table's row count (SELECT COUNT(*)).").ProducesProblem(StatusCodes.Status404NotFound);
        tables.MapGet("/{table}/hosts", GetHosts).WithName("GetHosts").WithSummary("Requests per host, most first (GROUP BY host).").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<TableInfo>>> ListTables(AnalyticsQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.TablesAsync(cancellationToken));

    public static async Task<Results<Ok<IReadOnlyList<ColumnInfo>>, ProblemHttpResult>> GetColumns(string table, AnalyticsQueries queries, CancellationToken cancellationToken) =>
        await queries.FindTableAsync(table, cancellationToken) is { } name
            ? TypedResults.Ok(await queries.ColumnsAsync(name, cancellationToken))
            : UnknownTable(table);

    public static async Task<Results<Ok<TableCount>, ProblemHttpResult>> GetCount(string table, AnalyticsQueries queries, CancellationToken cancellationToken) =>
        await queries.FindTableAsync(table, cancellationToken) is { } name
            ? TypedResults.Ok(await queries.CountAsync(name, cancellationToken))
            : UnknownTable(table);

    public static async Task<Results<Ok<IReadOnlyList<HostCount>>, ProblemHttpResult>> GetHosts(string table, AnalyticsQueries queries, CancellationToken cancellationToken)
    {
        if (await queries.FindTableAsync(table, cancellationToken) is not { } name)
        {
            return UnknownTable(table);
        }

        if (!(await queries.ColumnsAsync(name, cancellationToken)).Any(c => c.Name == "host"))
        {
            return TypedResults.Problem($"Table '{name}' has no host column.", statusCode: StatusCodes.Status404NotFound, title: "No hosts in this table");
        }

        return TypedResults.Ok(await queries.HostsAsync(name, cancellationToken));
    }

    private static ProblemHttpResult UnknownTable(string table) =>
        TypedResults.Problem($"The catalog has no table '{table}'. GET /api/tables lists them.", statusCode: StatusCodes.Status404NotFound, title: "Unknown table");
}
