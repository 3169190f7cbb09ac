using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every GamePipeline HTTP API shares: problem details, snake_case JSON, OpenAPI and its reference page.</summary>
public static class HttpApiDefaults
{
    public const string ReferencePath = "/docs";

    public static TBuilder AddHttpApiDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Routing refuses a body of the wrong type before any handler runs; say what was expected.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Detail ??= $"Content-Type '{context.HttpContext.Request.ContentType}' is not accepted here; send application/json.";
            }

            // Say how to authenticate, never why a key failed (that would help a guesser).
            if (context.ProblemDetails.Status == StatusCodes.Status401Unauthorized)
            {
                context.ProblemDetails.Detail ??= $"A valid key is required; nothing was done. How to send one: {string.Join("; or ", context.HttpContext.Response.Headers.WWWAuthenticate.ToArray())}.";
            }

            if (context.ProblemDetails.Status == StatusCodes.Status403Forbidden)
            {
                context.ProblemDetails.Detail ??= "The key is valid but lacks the scope this needs; nothing was done.";
            }
        });
        // A parameter that does not bind (?limit=abc) throws, so that the handler below can say which one it was;
        // otherwise the answer is a bare 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>
    /// Errors as problem details (a 401 or 403 of the authentication that runs after them too), <c>/openapi/v1.json</c>,
    /// and the API reference at <c>/docs</c>.
    /// </summary>
    public static WebApplication UseHttpApiDefaults(this WebApplication app, string title)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapScalarApiReference(ReferencePath, options => options.WithTitle(title));
        return app;
    }
}
