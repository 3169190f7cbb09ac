using AnalyticsApi.Queries;
using GamePipeline.Lake.Delta;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AnalyticsApi.Endpoints;

/// <summary>
/// The seed's Presto session as HTTP: show tables, describe, count, requests per host — each at the table's current
/// version, or at the version <c>?version=N</c> or <c>?as_of=ISO-8601</c> names (time travel) — and each table's history.
/// </summary>
public static class TablesApi
{
    public static IEndpointRouteBuilder MapTablesApi(this IEndpointRouteBuilder app)
    {
        var tables = app.MapGroup("/api/tables").WithTags("Tables").RequireAuthorization(Auth.ReaderKeys.ReadPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        tables.MapGet("", ListTables).WithName("ListTables").WithSummary("The catalog's tables (show tables).");
        tables.MapGet("/{table}/columns", GetColumns).WithName("GetColumns").WithSummary("A table's columns and types (describe).").ProducesProblem(StatusCodes.Status404NotFound);
        tables.MapGet("/{table}/count", GetCount).WithName("GetCount").WithSummary("A table's row count (SELECT COUNT(*)).").ProducesProblem(StatusCodes.Status404NotFound);
        tables.MapGet("/{table}/hosts", GetHosts).WithName("GetHosts").WithSummary("Requests per host, most first (GROUP BY host).").ProducesProblem(StatusCodes.Status404NotFound);
        tables.MapGet("/{table}/history", GetHistory).WithName("GetHistory")
            .WithSummary("The table's commits, newest first: version, time, operation (STREAMING UPDATE, OPTIMIZE, …), files and rows added and removed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>Time travel: at most one of <c>version</c> and <c>as_of</c>.</summary>
    public sealed record TableVersionQuery([FromQuery] long? Version, [FromQuery(Name = "as_of")] DateTimeOffset? AsOf);

    public static async Task<Ok<IReadOnlyList<TableInfo>>> ListTables(AnalyticsQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.TablesAsync(cancellationToken));

    public static async Task<Results<Ok<IReadOnlyList<ColumnInfo>>, ProblemHttpResult>> GetColumns(
        string table, [AsParameters] TableVersionQuery at, AnalyticsQueries queries, TableVersions versions, CancellationToken cancellationToken)
    {
        if (await queries.FindTableAsync(table, cancellationToken) is not { } name)
        {
            return UnknownTable(table);
        }

        // The lake's schema is the contract's at every version: a valid version answers the same columns.
        return await ResolveAsync(name, at, versions, cancellationToken) is { Problem: { } problem }
            ? problem
            : TypedResults.Ok(await queries.ColumnsAsync(name, cancellationToken));
    }

    public static async Task<Results<Ok<TableCount>, ProblemHttpResult>> GetCount(
        string table, [AsParameters] TableVersionQuery at, AnalyticsQueries queries, TableVersions versions, CancellationToken cancellationToken)
    {
        if (await queries.FindTableAsync(table, cancellationToken) is not { } name)
        {
            return UnknownTable(table);
        }

        var (version, problem) = await ResolveAsync(name, at, versions, cancellationToken);
        return problem ?? (Results<Ok<TableCount>, ProblemHttpResult>)TypedResults.Ok(await queries.CountAsync(name, version, cancellationToken));
    }

    public static async Task<Results<Ok<IReadOnlyList<HostCount>>, ProblemHttpResult>> GetHosts(
        string table, [AsParameters] TableVersionQuery at, AnalyticsQueries queries, TableVersions versions, CancellationToken cancellationToken)
    {
        if (await queries.FindTableAsync(table, cancellationToken) is not { } name)
        {
            return UnknownTable(table);
        }

        if (!(await queries.ColumnsAsync(name, cancellationToken)).Any(c => c.Name == "host"))
        {
            return TypedResults.Problem($"Table '{name}' has no host column.", statusCode: StatusCodes.Status404NotFound, title: "No hosts in this table");
        }

        var (version, problem) = await ResolveAsync(name, at, versions, cancellationToken);
        return problem ?? (Results<Ok<IReadOnlyList<HostCount>>, ProblemHttpResult>)TypedResults.Ok(await queries.HostsAsync(name, version, cancellationToken));
    }

    public static async Task<Results<Ok<TableHistory>, ProblemHttpResult>> GetHistory(
        string table, AnalyticsQueries queries, TableVersions versions, CancellationToken cancellationToken, int limit = 20, long? before = null)
    {
        if (await queries.FindTableAsync(table, cancellationToken) is not { } name)
        {
            return UnknownTable(table);
        }

        if (limit is < 1 or > 1000)
        {
            return TypedResults.Problem("limit must be between 1 and 1000.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit");
        }

        return TypedResults.Ok(await versions.HistoryAsync(name, limit, before, cancellationToken));
    }

    /// <summary>The version a request names (null: the current one), or the problem with what it asked for.</summary>
    private static async Task<(long? Version, ProblemHttpResult? Problem)> ResolveAsync(string table, TableVersionQuery at, TableVersions versions, CancellationToken cancellationToken)
    {
        if (at is { Version: not null, AsOf: not null })
        {
            return (null, TypedResults.Problem("Give version or as_of, not both.", statusCode: StatusCodes.Status400BadRequest, title: "Conflicting time travel"));
        }

        try
        {
            return (await versions.ResolveAsync(table, at.Version, at.AsOf, cancellationToken), null);
        }
        catch (DeltaTableException e) when (e.Failure == DeltaReadFailure.MissingVersion)
        {
            return at.Version is not null
                ? (null, TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound, title: "Unknown version"))
                : (null, TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "No version at that time"));
        }
    }

    private static ProblemHttpResult UnknownTable(string table) =>
        TypedResults.Problem($"The catalog has no table '{table}'. GET /api/tables lists them.", statusCode: StatusCodes.Status404NotFound, title: "Unknown table");
}
