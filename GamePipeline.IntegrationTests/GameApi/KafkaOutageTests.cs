using System.Diagnostics;
using System.Net;
using System.Text.Json;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.GameApi;

/// <summary>Its own GameApi and Kafka: this test takes the broker down.</summary>
public sealed class KafkaOutageTests : IAsyncLifetime
{
    private readonly GameApiFactory _api = new();

    public ValueTask InitializeAsync() => ((IAsyncLifetime)_api).InitializeAsync();

    public ValueTask DisposeAsync() => ((IAsyncLifetime)_api).DisposeAsync();

    [Fact]
    public async Task While_kafka_is_down_requests_fail_fast_with_503_and_succeed_again_once_it_returns()
    {
        Assert.Equal(HttpStatusCode.OK, (await _api.Client.GetAsync("/purchase_a_sword")).StatusCode);

        _api.Kafka.Cluster.SetBrokerDown(1);
        var firstFailure = Stopwatch.StartNew();
        HttpResponseMessage response;
        do
        {
            response = await _api.Client.GetAsync("/purchase_a_sword");
        }
        while (response.StatusCode == HttpStatusCode.OK && firstFailure.Elapsed < TimeSpan.FromSeconds(15));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(firstFailure.Elapsed < TimeSpan.FromSeconds(5), $"the first 503 took {firstFailure.Elapsed}");

        // Once the outage is known, every request is refused at once, with Retry-After.
        var fast = Stopwatch.StartNew();
        using var refused = await _api.Client.GetAsync("/join_the_guild");
        fast.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(fast.Elapsed < TimeSpan.FromMilliseconds(500), $"a 503 during the outage took {fast.Elapsed}");
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("Kafka", problem.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _api.Client.GetAsync("/alive")).StatusCode);

        _api.Kafka.Cluster.SetBrokerUp(1);
        var recovery = Stopwatch.StartNew();
        var marker = $"after-outage-{Guid.NewGuid():N}";
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/join_the_guild");
            request.Headers.UserAgent.ParseAdd(marker);
            status = (await _api.Client.SendAsync(request)).StatusCode;
        }
        while (status != HttpStatusCode.OK && recovery.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, status);
        var recorded = Assert.Single(_api.Events(), r => r.Envelope.UserAgent == marker);
        Assert.Equal(GameEventTypes.JoinGuild, recorded.Envelope.EventType);
    }
}
