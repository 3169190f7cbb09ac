using System.Net;
using System.Text;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.GameApi;

/// <summary>
/// GameApi with write keys required (sources alpha and beta) and a small limit per source, over real HTTP and the
/// embedded Kafka, with a writer behind it.
/// </summary>
public sealed class WriteKeyTests() : GameApiAndLake(Settings())
{
    private const int BurstPerSender = 20;

    private static Dictionary<string, string?> Settings()
    {
        var settings = TestKeys.WriteKeySettings(required: true);
        settings["RateLimits:PerSender:PermitsPerSecond"] = "10";
        settings["RateLimits:PerSender:Burst"] = BurstPerSender.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    private async Task<HttpResponseMessage> PurchaseAsync(string host, System.Net.Http.Headers.AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/purchase_a_sword");
        request.Headers.Host = host;
        request.Headers.Authorization = authorization;
        return await Api.Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostBatchAsync(string user, System.Net.Http.Headers.AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = new StringContent($$"""{"user_id":"{{user}}","events":[{"event_type":"join_guild"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = authorization;
        return await Api.Client.SendAsync(request);
    }

    [Fact]
    public async Task Without_a_key_or_with_a_wrong_one_every_route_answers_401_problem_details_and_nothing_reaches_kafka()
    {
        var host = $"keyless-{Guid.NewGuid():N}.example";
        var refusals = new[]
        {
            await PurchaseAsync(host, null),
            await PurchaseAsync(host, TestKeys.Basic("gp_not_a_key")),
            await PurchaseAsync(host, TestKeys.Basic(TestKeys.Reader)),
            await PurchaseAsync(host, TestKeys.Bearer(TestKeys.WriteAlpha)),
            await PurchaseAsync(host, new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "not base64!")),
            await PostBatchAsync(host, null),
            await PostBatchAsync(host, TestKeys.Basic(TestKeys.WriteAlpha.ToUpperInvariant())),
        };

        foreach (var refused in refusals)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Basic realm=", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Contains("A valid key is required", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            refused.Dispose();
        }

        Assert.DoesNotContain(Api.Events(), record => record.Key == host);
    }

    [Fact]
    public async Task The_right_key_is_accepted_and_every_event_carries_its_source_while_the_key_itself_is_nowhere()
    {
        var host = $"keyed-{Guid.NewGuid():N}.example";
        await using var writer = await WriterHost.StartAsync(Api.Kafka.BootstrapServers, Lake, "keys");
        using (var purchase = await PurchaseAsync(host, TestKeys.Basic(TestKeys.WriteAlpha)))
        {
            Assert.Equal(HttpStatusCode.OK, purchase.StatusCode);
        }

        using (var batch = await PostBatchAsync(host, TestKeys.Basic(TestKeys.WriteBeta)))
        {
            Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        }

        var records = Api.Events().Where(record => record.Key == host).ToList();
        Assert.Equal(["alpha", "beta"], records.SelectMany(record => record.Envelopes).Select(e => e.Sender).Order());

        using var lake = new LakeQuery(Lake);
        await Eventually.TrueAsync(() => lake.CountAllEvents() == 2, TimeSpan.FromSeconds(30), () => $"{lake.CountAllEvents()} of 2 events");
        Assert.Equal(
            ["alpha", "beta"],
            lake.Rows($"""
                SELECT sender FROM {lake.Source(LakeTables.SwordPurchases.Name)}
                UNION ALL SELECT sender FROM {lake.Source(LakeTables.JoinGuilds.Name)} ORDER BY 1
                """).Select(row => (string)row[0]!));

        // Not in Kafka (the Authorization header never reaches it), not in any file of the lake, not in the logs.
        foreach (var key in new[] { TestKeys.WriteAlpha, TestKeys.WriteBeta })
        {
            var basic = TestKeys.Basic(key).Parameter!;
            Assert.DoesNotContain(Api.Events(), record => record.Text.Contains(key, StringComparison.Ordinal) || record.Text.Contains(basic, StringComparison.Ordinal));
            Assert.DoesNotContain(Directory.EnumerateFiles(Lake, "*", SearchOption.AllDirectories), file => Contains(file, key) || Contains(file, basic));
            Assert.DoesNotContain(Api.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal) || line.Contains(basic, StringComparison.Ordinal));
        }

        Assert.Contains(Api.Logs.Lines, line => line.Contains("Write keys are required: 2 key(s), for sources alpha, beta", StringComparison.Ordinal));
    }

    private static bool Contains(string file, string text)
    {
        var bytes = File.ReadAllBytes(file);
        return bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
    }

    [Fact]
    public async Task Past_its_limit_a_source_gets_429_with_Retry_After_while_another_source_is_served()
    {
        var host = $"flood-{Guid.NewGuid():N}.example";
        var alpha = new List<HttpStatusCode>();
        for (var i = 0; i < BurstPerSender * 2; i++)
        {
            using var response = await PurchaseAsync(host, TestKeys.Basic(TestKeys.WriteAlpha));
            alpha.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
                Assert.Contains("rate limit", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // Meanwhile beta, from the same address, is answered normally.
            if (i % 10 == 9)
            {
                using var beta = await PurchaseAsync(host, TestKeys.Basic(TestKeys.WriteBeta));
                Assert.Equal(HttpStatusCode.OK, beta.StatusCode);
            }
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, alpha);
        Assert.True(alpha.Count(status => status == HttpStatusCode.OK) >= BurstPerSender, string.Join(", ", alpha));

        // Only what was answered 200 reached Kafka.
        Assert.Equal(
            alpha.Count(status => status == HttpStatusCode.OK),
            Api.Events().Count(record => record.Key == host && record.Envelope.Sender == "alpha"));
    }
}
