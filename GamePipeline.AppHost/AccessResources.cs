using Microsoft.Extensions.Configuration;

namespace GamePipeline.AppHost;

/// <summary>
/// Who may write events and read the lake: the services get each key's SHA-256 (never a key) from secret Aspire
/// parameters, which take their values from the AppHost's configuration — user secrets, environment
/// (<c>Parameters__gameapi-write-key-hash</c>) — never from the repository (docs/security.md).
/// </summary>
public static class AccessResources
{
    public const string WriteKeyHash = "gameapi-write-key-hash";
    public const string ReadKeyHash = "analytics-read-key-hash";
    public const string AdminKeyHash = "analytics-admin-key-hash";

    /// <summary>
    /// GameApi's write key (source <c>game</c>). The embedded topology is a laptop: keys are optional there (a key that
    /// is sent is still checked) and every client shares the loopback address, so it has no per-address limit.
    /// Elsewhere keys are required and the parameter must have a value.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithWriteKeys(this IResourceBuilder<ProjectResource> gameApi, PipelineSettings settings)
    {
        var onLaptop = settings.Topology == PipelineTopology.Embedded;
        gameApi.WithEnvironment("WriteKeys__Required", onLaptop ? "false" : "true");
        if (onLaptop)
        {
            gameApi.WithEnvironment("RateLimits__PerAddress__PermitsPerSecond", "0");
        }

        if (!onLaptop || IsConfigured(gameApi.ApplicationBuilder, WriteKeyHash))
        {
            var hash = gameApi.ApplicationBuilder.AddParameter(WriteKeyHash, secret: true);
            gameApi.WithEnvironment("WriteKeys__Keys__0__Name", "game").WithEnvironment("WriteKeys__Keys__0__Hash", hash);
        }

        return gameApi;
    }

    /// <summary>
    /// AnalyticsApi's reader keys: <c>reader</c> (scope read) and <c>admin</c> (read, erase). On the embedded
    /// topology this machine reads without a key; elsewhere both parameters must have values.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReaderKeys(this IResourceBuilder<ProjectResource> analyticsApi, PipelineSettings settings)
    {
        var onLaptop = settings.Topology == PipelineTopology.Embedded;
        analyticsApi.WithEnvironment("ReaderKeys__AllowAnonymousOnLoopback", onLaptop ? "true" : "false");
        var index = 0;
        foreach (var (parameter, name, scopes) in new[] { (ReadKeyHash, "reader", new[] { "read" }), (AdminKeyHash, "admin", new[] { "read", "admin" }) })
        {
            if (onLaptop && !IsConfigured(analyticsApi.ApplicationBuilder, parameter))
            {
                continue;
            }

            var hash = analyticsApi.ApplicationBuilder.AddParameter(parameter, secret: true);
            analyticsApi.WithEnvironment($"ReaderKeys__Keys__{index}__Name", name).WithEnvironment($"ReaderKeys__Keys__{index}__Hash", hash);
            for (var scope = 0; scope < scopes.Length; scope++)
            {
                analyticsApi.WithEnvironment($"ReaderKeys__Keys__{index}__Scopes__{scope}", scopes[scope]);
            }

            index++;
        }

        return analyticsApi;
    }

    private static bool IsConfigured(IDistributedApplicationBuilder builder, string parameter) =>
        builder.Configuration[$"Parameters:{parameter}"] is { Length: > 0 };
}
