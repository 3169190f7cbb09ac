using GameApi.Ingest;
using GamePipeline.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GameApi.Endpoints;

/// <summary>The seed's three GET routes: same paths, same bodies; each request becomes one event on Kafka.</summary>
public static class GameRoutes
{
    public const string DefaultBody = "This is the default response!\n";
    public const string PurchaseSwordBody = "You Purchased a Sword!\n";
    public const string JoinGuildBody = "You Joined the Guild!\n";

    public static IEndpointRouteBuilder MapGameRoutes(this IEndpointRouteBuilder app)
    {
        var routes = app.MapGroup("").WithTags("Game (the seed's routes)")
            .RequireAuthorization(GameApiExtensions.WriteKeyScheme)
            .WithMetadata(Auth.IngestEndpoint.Instance);
        Describe(routes.MapGet("/", DefaultResponse), "Default", GameEventTypes.Default);
        Describe(routes.MapGet("/purchase_a_sword", PurchaseASword), "PurchaseASword", GameEventTypes.PurchaseSword);
        Describe(routes.MapGet("/join_the_guild", JoinTheGuild), "JoinTheGuild", GameEventTypes.JoinGuild);
        return app;
    }

    private static void Describe(RouteHandlerBuilder route, string name, string eventType) =>
        route.WithName(name)
            .WithSummary($"Records a '{eventType}' event.")
            .WithDescription("Answers 200 only once Kafka has acknowledged the event (acks=all); 503 with Retry-After when Kafka is unavailable. "
                + "With an Idempotency-Key header, the same key sent again (by the same user, within the writers' dedup window) is written to the lake once and answered the same.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static Task<Results<ContentHttpResult, ValidationProblem>> DefaultResponse(HttpRequest request, EventFactory events, EventPublisher publisher) =>
        RecordAsync(request, events, publisher, GameEventTypes.Default, DefaultBody);

    public static Task<Results<ContentHttpResult, ValidationProblem>> PurchaseASword(HttpRequest request, EventFactory events, EventPublisher publisher) =>
        RecordAsync(request, events, publisher, GameEventTypes.PurchaseSword, PurchaseSwordBody);

    public static Task<Results<ContentHttpResult, ValidationProblem>> JoinTheGuild(HttpRequest request, EventFactory events, EventPublisher publisher) =>
        RecordAsync(request, events, publisher, GameEventTypes.JoinGuild, JoinGuildBody);

    private static async Task<Results<ContentHttpResult, ValidationProblem>> RecordAsync(HttpRequest request, EventFactory events, EventPublisher publisher, string eventType, string body)
    {
        var (idempotencyKey, keyProblem) = IdempotencyKey.Read(request);
        if (keyProblem is not null)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [IdempotencyKey.Header] = [keyProblem] },
                title: "The request was refused; no event was recorded.",
                type: "https://gamepipeline.dev/problems/invalid-idempotency-key");
        }

        var (gameEvent, problem) = events.FromRoute(request, eventType, idempotencyKey);
        if (gameEvent is null)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [problem!.Source] = [problem.Detail] },
                title: "The request was refused; no event was recorded.",
                type: "https://gamepipeline.dev/problems/invalid-user-id");
        }

        await publisher.PublishAsync(gameEvent);
        return TypedResults.Text(body, "text/plain; charset=utf-8");
    }
}
