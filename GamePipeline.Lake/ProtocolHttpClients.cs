using Microsoft.Extensions.DependencyInjection;

namespace GamePipeline.Lake;

/// <summary>HttpClients for the storage and engine protocols (WebHDFS, Trino), held by singletons.</summary>
public static class ProtocolHttpClients
{
    /// <summary>How long a pooled connection is reused, so that a singleton's client still sees DNS changes.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A typed HttpClient without the default resilience handlers, for protocol clients that retry by their own
    /// rules (what is safe to repeat, how long a call may run): a generic retry would resubmit statements or
    /// renames, and its attempt timeout would cut long calls. The client lives as long as the singleton that holds
    /// it, so its connections, not its handler, are renewed.
    /// </summary>
    public static IHttpClientBuilder AddProtocolHttpClient<TClient>(this IServiceCollection services, TimeSpan timeout, bool followRedirects = true)
        where TClient : class
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental
        return services.AddHttpClient<TClient>(http => http.Timeout = timeout)
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = ConnectionLifetime, AllowAutoRedirect = followRedirects })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
    }
}
