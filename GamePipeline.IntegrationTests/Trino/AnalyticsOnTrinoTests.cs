using System.Net.Http.Json;
using System.Text.Json;
using AnalyticsApi.Queries;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GamePipeline.Tests.Trino;

/// <summary>AnalyticsApi with a Trino URL as its catalog: the same endpoints, answered through the REST client.</summary>
public sealed class AnalyticsOnTrinoTests : IAsyncLifetime
{
    private FakeTrino _trino = null!;
    private ApiOnTrino _api = null!;

    private sealed class ApiOnTrino(Uri trino) : WebApplicationFactory<AnalyticsQueries>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:catalog", trino.ToString());
            builder.UseSetting("ConnectionStrings:lake", "hdfs://namenode:8020/lake");
            builder.UseSetting("ReaderKeys:AllowAnonymousOnLoopback", "true");
        }
    }

    public async ValueTask InitializeAsync()
    {
        _trino = await FakeTrino.StartAsync();
        _api = new ApiOnTrino(_trino.Endpoint);
        _api.UseKestrel(0);
        InProcessHosts.Start(_api.StartServer);
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _trino.DisposeAsync();
    }

    [Fact]
    public async Task Requests_per_host_are_answered_by_trino_through_the_rest_client()
    {
        using var client = _api.CreateClient();

        var hosts = await client.GetFromJsonAsync<JsonElement>("/api/tables/sword_purchases/hosts");

        Assert.Equal(
            [("user3.gogov.com", 60L), ("user2.att.com", 50L), ("user1.comcast.com", 40L)],
            hosts.EnumerateArray().Select(h => (h.GetProperty("host").GetString(), h.GetProperty("count").GetInt64())));
        Assert.Contains(_trino.Statements, s => s.StartsWith("EXECUTE IMMEDIATE", StringComparison.Ordinal) && s.EndsWith("USING 'default'", StringComparison.Ordinal));
        Assert.Contains("SELECT host, COUNT(*) AS requests FROM \"sword_purchases\" GROUP BY host ORDER BY requests DESC, host", _trino.Statements);
        Assert.Equal(404, (int)(await client.GetAsync("/api/tables/join_guilds/count")).StatusCode);
    }
}
