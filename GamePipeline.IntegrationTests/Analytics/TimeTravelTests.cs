using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GamePipeline.Contracts;
using LakeMaintenance;

namespace GamePipeline.Tests.Analytics;

/// <summary>Every table endpoint answers at a version or a time; the history lists the commits, compactions included.</summary>
[Collection(AnalyticsCollection.Name)]
public sealed class TimeTravelTests(AnalyticsFixture analytics)
{
    private Task<JsonElement> GetJsonAsync(string path) => analytics.Client.GetFromJsonAsync<JsonElement>(path);

    private async Task<long> CountAsync(string query) => (await GetJsonAsync($"/api/tables/sword_purchases/count{query}")).GetProperty("count").GetInt64();

    private async Task<List<(string?, long)>> HostsAsync(string query) =>
        [.. (await GetJsonAsync($"/api/tables/sword_purchases/hosts{query}")).EnumerateArray().Select(h => (h.GetProperty("host").GetString(), h.GetProperty("count").GetInt64()))];

    [Fact]
    public async Task Answers_at_a_version_before_and_after_a_compaction_are_equal_and_an_older_version_answers_what_was_committed_then()
    {
        var history = (await GetJsonAsync("/api/tables/sword_purchases/history")).GetProperty("commits").EnumerateArray().ToList();
        var writes = history.Where(c => c.GetProperty("rows_added").GetInt64() > 0).OrderBy(c => c.GetProperty("version").GetInt64()).ToList();
        Assert.True(writes.Count >= 2, "the fixture commits sword purchases in two rounds");
        var firstWrite = writes[0].GetProperty("version").GetInt64();
        var beforeCompaction = history.Max(c => c.GetProperty("version").GetInt64());

        var compaction = await MaintenanceHosts.Create(analytics.Lake, new LakeMaintenanceOptions { QuietPeriod = TimeSpan.Zero })
            .CompactAsync(LakeTables.SwordPurchases, CancellationToken.None);
        Assert.Equal(1, compaction.Commits);

        var newest = (await GetJsonAsync("/api/tables/sword_purchases/history?limit=1")).GetProperty("commits")[0];
        var afterCompaction = newest.GetProperty("version").GetInt64();
        Assert.Equal(("OPTIMIZE", 1, compaction.FilesRemoved), (newest.GetProperty("operation").GetString(), newest.GetProperty("files_added").GetInt32(), newest.GetProperty("files_removed").GetInt32()));
        Assert.Equal(newest.GetProperty("rows_added").GetInt64(), newest.GetProperty("rows_removed").GetInt64());

        Assert.Equal(4, await CountAsync($"?version={beforeCompaction}"));
        Assert.Equal(4, await CountAsync($"?version={afterCompaction}"));
        Assert.Equal(4, await CountAsync(""));
        Assert.Equal(await HostsAsync($"?version={beforeCompaction}"), await HostsAsync($"?version={afterCompaction}"));
        Assert.Equal(writes[0].GetProperty("rows_added").GetInt64(), await CountAsync($"?version={firstWrite}"));
        Assert.Equal([("alpha.example", 3L)], await HostsAsync($"?version={firstWrite}"));
        Assert.Equal(0, await CountAsync("?version=0"));

        // The same by time: now is the newest version; the commit time of the first write answers as that version.
        Assert.Equal(4, await CountAsync($"?as_of={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}"));
        var firstWriteTime = writes[0].GetProperty("timestamp").GetDateTimeOffset();
        Assert.Equal(3, await CountAsync($"?as_of={Uri.EscapeDataString(firstWriteTime.ToString("O"))}"));
    }

    [Fact]
    public async Task History_lists_commits_newest_first_in_pages()
    {
        var all = (await GetJsonAsync("/api/tables/sword_purchases/history?limit=1000")).GetProperty("commits").EnumerateArray().Select(c => c.GetProperty("version").GetInt64()).ToList();
        Assert.Equal(all.OrderDescending(), all);
        Assert.Equal(0, all[^1]);

        var first = await GetJsonAsync("/api/tables/sword_purchases/history?limit=2");
        var next = first.GetProperty("next_before").GetInt64();
        var second = await GetJsonAsync($"/api/tables/sword_purchases/history?limit=2&before={next}");

        Assert.Equal(all.Take(4), [.. first.GetProperty("commits").EnumerateArray().Concat(second.GetProperty("commits").EnumerateArray()).Select(c => c.GetProperty("version").GetInt64())]);
        Assert.Equal("CREATE TABLE", (await GetJsonAsync("/api/tables/sword_purchases/history?limit=1&before=1")).GetProperty("commits")[0].GetProperty("operation").GetString());
    }

    [Theory]
    [InlineData("/api/tables/sword_purchases/count?version=999999", HttpStatusCode.NotFound, "Unknown version")]
    [InlineData("/api/tables/sword_purchases/hosts?version=999999", HttpStatusCode.NotFound, "Unknown version")]
    [InlineData("/api/tables/sword_purchases/columns?version=999999", HttpStatusCode.NotFound, "Unknown version")]
    [InlineData("/api/tables/sword_purchases/count?as_of=2001-01-01T00:00:00Z", HttpStatusCode.BadRequest, "No version at that time")]
    [InlineData("/api/tables/sword_purchases/count?as_of=2999-01-01T00:00:00Z", HttpStatusCode.BadRequest, "No version at that time")]
    [InlineData("/api/tables/sword_purchases/count?version=1&as_of=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest, "Conflicting time travel")]
    [InlineData("/api/tables/sword_purchases/history?limit=0", HttpStatusCode.BadRequest, "Invalid limit")]
    [InlineData("/api/tables/nope/history", HttpStatusCode.NotFound, "Unknown table")]
    public async Task A_version_or_time_the_table_does_not_have_is_a_problem_saying_so(string path, HttpStatusCode status, string title)
    {
        using var response = await analytics.Client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_time_that_is_not_a_time_is_a_400()
    {
        using var response = await analytics.Client.GetAsync("/api/tables/sword_purchases/count?as_of=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
