using System.Net;
using System.Net.Http.Headers;

namespace GamePipeline.Tests.Analytics;

[Collection(AnalyticsCollection.Name)]
public sealed class ReaderKeyTests(AnalyticsFixture analytics)
{
    private static readonly string[] DataEndpoints =
    [
        "/api/tables", "/api/tables/sword_purchases/columns", "/api/tables/sword_purchases/count", "/api/tables/sword_purchases/hosts",
        "/api/tables/sword_purchases/history", "/api/tables/no_such_table/count", "/api/events/per-minute", "/api/users/top",
        "/api/user-agents", "/api/funnel/guild-to-sword", "/api/duplicates", "/report",
    ];

    private async Task<HttpResponseMessage> GetAsync(string path, AuthenticationHeaderValue? authorization)
    {
        using var client = analytics.AnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Without_a_key_or_with_a_wrong_one_no_endpoint_reveals_data_and_each_says_how_to_authenticate()
    {
        foreach (var path in DataEndpoints)
        {
            foreach (var authorization in new AuthenticationHeaderValue?[] { null, TestKeys.Bearer("gp_not_a_key"), TestKeys.Bearer(TestKeys.WriteAlpha), TestKeys.Basic("analyst", "wrong") })
            {
                using var response = await GetAsync(path, authorization);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path} with {authorization}: {(int)response.StatusCode} {body}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
                Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain("alpha.example", body, StringComparison.Ordinal);
                Assert.DoesNotContain("sword_purchases\"", body, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_reader_key_reads_by_bearer_token_or_as_a_browsers_basic_password()
    {
        foreach (var path in DataEndpoints.Where(p => !p.Contains("no_such_table", StringComparison.Ordinal)))
        {
            using var bearer = await GetAsync(path, TestKeys.Bearer(TestKeys.Reader));
            Assert.True(bearer.StatusCode == HttpStatusCode.OK, $"{path}: {(int)bearer.StatusCode}");
            using var basic = await GetAsync(path, TestKeys.Basic("analyst", TestKeys.Admin));
            Assert.True(basic.StatusCode == HttpStatusCode.OK, $"{path}: {(int)basic.StatusCode}");
        }

        using var unknown = await GetAsync("/api/tables/no_such_table/count", TestKeys.Bearer(TestKeys.Reader));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // Keys (right or wrong), plain or base64 as Basic sends them, are never logged.
        foreach (var key in new[] { TestKeys.Reader, TestKeys.Admin, "gp_not_a_key" })
        {
            var basic = TestKeys.Basic("analyst", key).Parameter!;
            Assert.DoesNotContain(analytics.Logs.Lines, line => line.Contains(key, StringComparison.Ordinal) || line.Contains(basic, StringComparison.Ordinal));
        }

        Assert.Contains(analytics.Logs.Lines, line => line.Contains("Readers: 2 reader key(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_and_the_api_reference_need_no_key_and_the_reference_holds_no_data()
    {
        using var health = await GetAsync("/health", null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var openApi = await GetAsync("/openapi/v1.json", null);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        var document = await openApi.Content.ReadAsStringAsync();
        Assert.Contains("401", document, StringComparison.Ordinal);
        Assert.DoesNotContain("alpha.example", document, StringComparison.Ordinal);
        Assert.DoesNotContain("beta.example", document, StringComparison.Ordinal);
    }
}
