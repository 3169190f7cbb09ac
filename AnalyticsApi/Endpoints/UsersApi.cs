using System.Security.Claims;
using AnalyticsApi.Erasure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AnalyticsApi.Endpoints;

/// <summary>A player's right to be forgotten (GDPR art. 17): erase every row of a user from every table and file. Admin scope.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Auth.ReaderKeys.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        users.MapDelete("/{userId}", EraseUser).WithName("EraseUser")
            .WithSummary("Erases a user: their events are dropped from now on, and every file holding their rows is rewritten without them.")
            .WithDescription("202: the request is recorded (table erasures, by the user id's SHA-256) and the user suppressed; the rewrite follows in the background — GET …/erasure reports it.");
        users.MapGet("/{userId}/erasure", GetErasure).WithName("GetErasure")
            .WithSummary("The state of the user's latest erasure: requested, completed (rows removed, files rewritten) or failed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Accepted<ErasureStatus>> EraseUser(string userId, ClaimsPrincipal user, Erasures erasures, CancellationToken cancellationToken)
    {
        var status = await erasures.RequestAsync(userId, user.Identity?.Name ?? "this machine (loopback)", cancellationToken);
        return TypedResults.Accepted($"/api/users/{Uri.EscapeDataString(userId)}/erasure", status);
    }

    public static async Task<Results<Ok<ErasureStatus>, ProblemHttpResult>> GetErasure(string userId, Erasures erasures, CancellationToken cancellationToken) =>
        await erasures.StatusAsync(userId, cancellationToken) is { } status
            ? TypedResults.Ok(status)
            : TypedResults.Problem("No erasure was requested for this user.", statusCode: StatusCodes.Status404NotFound, title: "No erasure");
}
