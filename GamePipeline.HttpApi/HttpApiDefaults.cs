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
        });
        // A parameter that does not bind (?limit=abc) throws, so that the handler below can say which one it was;
        // otherwise the answer is a bare 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Errors as problem details, <c>/openapi/v1.json</c>, and the API reference at <c>/docs</c>.</summary>
    public static WebApplication UseHttpApiDefaults(this WebApplication app, string title)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapScalarApiReference(ReferencePath, options => options.WithTitle(title));
        return app;
    }
}
