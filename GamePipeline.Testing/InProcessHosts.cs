using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GamePipeline.Testing;

/// <summary>
/// Builds and starts the test process's own hosts (WebApplicationFactory servers, in-process fakes, writer hosts,
/// Kafka client hosts, the Aspire app)
/// one at a time. WebApplicationFactory finds the app's host by listening to every host being built in the
/// process; with other hosts starting in parallel it has picked up an already started one ("Addresses cannot be
/// modified after the server has started").
/// </summary>
public static class InProcessHosts
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static void Start(Action start)
    {
        Gate.Wait();
        try
        {
            start();
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<T> StartAsync<T>(Func<Task<T>> start)
    {
        await Gate.WaitAsync();
        try
        {
            return await start();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>An HTTP server on a free loopback port for an in-process fake: <paramref name="map"/> adds its routes.</summary>
    public static Task<(WebApplication App, Uri Endpoint)> StartWebAppAsync(Action<WebApplication> map) => StartAsync(async () =>
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    });
}
