using AnalyticsApi.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AnalyticsApi.Endpoints;

/// <summary>What an analyst asks after the seed's queries.</summary>
public static class InsightsApi
{
    public const int MaxLimit = 1_000;
    public const int MaxMinutes = 7 * 24 * 60;

    public static IEndpointRouteBuilder MapInsightsApi(this IEndpointRouteBuilder app)
    {
        var insights = app.MapGroup("/api").WithTags("Insights").RequireAuthorization(Auth.ReaderKeys.ReadPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        insights.MapGet("/events/per-minute", GetEventsPerMinute).WithName("GetEventsPerMinute").WithSummary("Events per minute by type over the last minutes.");
        insights.MapGet("/users/top", GetTopUsers).WithName("GetTopUsers").WithSummary("The most active users, with their sword purchases and guild joins.");
        insights.MapGet("/user-agents", GetUserAgents).WithName("GetUserAgents").WithSummary("Events per user agent, most first.");
        insights.MapGet("/duplicates", GetDuplicates).WithName("GetDuplicates")
            .WithSummary("Per event table: events written with an idempotency key, and retries of them left out as duplicates.");
        insights.MapGet("/funnel/guild-to-sword", GetGuildToSwordFunnel).WithName("GetGuildToSwordFunnel").WithSummary("Of the users who joined a guild, how many bought a sword afterwards.");
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<MinuteCount>>, ValidationProblem>> GetEventsPerMinute(AnalyticsQueries queries, TimeProvider clock, CancellationToken cancellationToken, int minutes = 60) =>
        minutes is < 1 or > MaxMinutes
            ? Invalid("minutes", $"minutes must be between 1 and {MaxMinutes}.")
            : TypedResults.Ok(await queries.EventsPerMinuteAsync(clock.GetUtcNow().AddMinutes(-minutes), cancellationToken));

    public static async Task<Results<Ok<IReadOnlyList<TopUser>>, ValidationProblem>> GetTopUsers(AnalyticsQueries queries, CancellationToken cancellationToken, int limit = 10) =>
        limit is < 1 or > MaxLimit
            ? Invalid("limit", $"limit must be between 1 and {MaxLimit}.")
            : TypedResults.Ok(await queries.TopUsersAsync(limit, cancellationToken));

    public static async Task<Results<Ok<IReadOnlyList<UserAgentCount>>, ValidationProblem>> GetUserAgents(AnalyticsQueries queries, CancellationToken cancellationToken, int limit = 10) =>
        limit is < 1 or > MaxLimit
            ? Invalid("limit", $"limit must be between 1 and {MaxLimit}.")
            : TypedResults.Ok(await queries.UserAgentsAsync(limit, cancellationToken));

    public static async Task<Ok<IReadOnlyList<DuplicateCount>>> GetDuplicates(AnalyticsQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.DuplicatesAsync(cancellationToken));

    public static async Task<Ok<GuildToSwordFunnel>> GetGuildToSwordFunnel(AnalyticsQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GuildToSwordFunnelAsync(cancellationToken));

    private static ValidationProblem Invalid(string parameter, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [parameter] = [message] });
}
