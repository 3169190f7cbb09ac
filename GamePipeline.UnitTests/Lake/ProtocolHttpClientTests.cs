using GamePipeline.Lake;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace GamePipeline.Tests.Lake;

public sealed class ProtocolHttpClientTests
{
    private sealed class ProtocolClient(HttpClient http)
    {
        public HttpClient Http { get; } = http;
    }

    [Fact]
    public void A_protocol_client_held_by_a_singleton_renews_its_connections_and_has_no_generic_retries()
    {
        var services = new ServiceCollection();
        // As every service's defaults do: resilience handlers on every HttpClient.
        services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        services.AddProtocolHttpClient<ProtocolClient>(TimeSpan.FromMinutes(5), followRedirects: false);
        using var provider = services.BuildServiceProvider();

        var name = nameof(ProtocolClient);
        Assert.Equal(Timeout.InfiniteTimeSpan, provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(name).HandlerLifetime);
        HttpMessageHandler handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(name);
        var chain = new List<HttpMessageHandler>();
        for (; handler is DelegatingHandler delegating; handler = delegating.InnerHandler!)
        {
            chain.Add(delegating);
        }

        Assert.DoesNotContain(chain, h => h.GetType().Name.Contains("Resilience", StringComparison.Ordinal));
        var primary = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.Equal(ProtocolHttpClients.ConnectionLifetime, primary.PooledConnectionLifetime);
        Assert.False(primary.AllowAutoRedirect);
        Assert.Equal(TimeSpan.FromMinutes(5), provider.GetRequiredService<ProtocolClient>().Http.Timeout);
    }
}
