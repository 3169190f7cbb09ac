using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.Analytics;

[Collection(AnalyticsCollection.Name)]
public sealed class AnalyticsApiTests(AnalyticsFixture analytics)
{
    private Task<JsonElement> GetJsonAsync(string path) => analytics.Client.GetFromJsonAsync<JsonElement>(path);

    [Fact]
    public async Task Tables_lists_every_lake_table_registered_by_catalog_setup()
    {
        var tables = await GetJsonAsync("/api/tables");

        Assert.Equal(LakeTables.All.Select(t => t.Name).Order(), tables.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Columns_describes_the_documented_schema_with_the_date_partition()
    {
        var columns = (await GetJsonAsync("/api/tables/sword_purchases/columns")).EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString(), c.GetProperty("type").GetString())).ToList();

        Assert.Equal([.. LakeTables.EventColumns.Select(c => c.Name), LakeTables.PartitionColumn], columns.Select(c => c.Item1));
        Assert.Contains(("event_time", "TIMESTAMP WITH TIME ZONE"), columns);
        Assert.Contains(("kafka_offset", "BIGINT"), columns);
    }

    [Theory]
    [InlineData("sword_purchases", 4)]
    [InlineData("join_guilds", 3)]
    [InlineData("default_events", 2)]
    [InlineData("bad_events", 0)]
    public async Task Count_returns_the_rows_of_each_table(string table, long expected)
    {
        var count = await GetJsonAsync($"/api/tables/{table}/count");

        Assert.Equal(table, count.GetProperty("table").GetString());
        Assert.Equal(expected, count.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Hosts_counts_requests_per_host_most_first()
    {
        var hosts = (await GetJsonAsync("/api/tables/sword_purchases/hosts")).EnumerateArray()
            .Select(h => (h.GetProperty("host").GetString(), h.GetProperty("count").GetInt64())).ToList();

        Assert.Equal([("alpha.example", 3L), ("beta.example", 1L)], hosts);
    }

    [Theory]
    [InlineData("/api/tables/nope/count")]
    [InlineData("/api/tables/nope/columns")]
    [InlineData("/api/tables/sword_purchases%3B%20DROP%20VIEW%20join_guilds/count")]
    [InlineData("/api/tables/bad_events/hosts")]
    public async Task An_unknown_table_is_a_404_with_problem_details(string path)
    {
        using var response = await analytics.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, (await GetJsonAsync("/api/tables/join_guilds/count")).GetProperty("count").GetInt64());
    }

    [Theory]
    [InlineData("/api/users/top?limit=0")]
    [InlineData("/api/users/top?limit=100000")]
    [InlineData("/api/events/per-minute?minutes=-1")]
    public async Task Out_of_range_parameters_are_a_400_naming_the_parameter(string path)
    {
        using var response = await analytics.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any());
    }

    [Theory]
    [InlineData("/api/users/top?limit=abc", "limit")]
    [InlineData("/api/user-agents?limit=1.5", "limit")]
    [InlineData("/api/events/per-minute?minutes=lots", "minutes")]
    public async Task Parameters_that_do_not_bind_are_a_400_problem_naming_the_parameter(string path, string parameter)
    {
        using var response = await analytics.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains($" {parameter}\"", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Top_users_counts_each_users_events_swords_and_guild_joins()
    {
        var users = (await GetJsonAsync("/api/users/top?limit=5")).EnumerateArray().ToList();

        Assert.Equal("alpha.example", users[0].GetProperty("user_id").GetString());
        Assert.Equal(6, users[0].GetProperty("events").GetInt64());
        Assert.Equal(3, users[0].GetProperty("sword_purchases").GetInt64());
        Assert.Equal(1, users[0].GetProperty("guild_joins").GetInt64());
        Assert.Equal(2, users[1].GetProperty("guild_joins").GetInt64());
    }

    [Fact]
    public async Task User_agents_and_events_per_minute_cover_every_event()
    {
        var agents = (await GetJsonAsync("/api/user-agents")).EnumerateArray().Select(a => (a.GetProperty("user_agent").GetString(), a.GetProperty("count").GetInt64()));
        Assert.Equal([("ApacheBench/2.3", 7L), ("curl/8.0", 2L)], agents);

        var perMinute = (await GetJsonAsync("/api/events/per-minute?minutes=60")).EnumerateArray().ToList();
        Assert.Equal(AnalyticsFixture.Events.Count, perMinute.Sum(m => m.GetProperty("count").GetInt64()));
        Assert.Equal(3, perMinute.Where(m => m.GetProperty("event_type").GetString() == GameEventTypes.JoinGuild).Sum(m => m.GetProperty("count").GetInt64()));
    }

    [Fact]
    public async Task The_funnel_counts_users_who_bought_a_sword_after_joining_a_guild()
    {
        var funnel = await GetJsonAsync("/api/funnel/guild-to-sword");

        Assert.Equal(2, funnel.GetProperty("joined_guild").GetInt64());
        Assert.Equal(1, funnel.GetProperty("bought_sword_after_joining").GetInt64());
        Assert.Equal(0.5, funnel.GetProperty("conversion").GetDouble());
    }

    [Fact]
    public async Task Duplicates_counts_per_event_table_the_keyed_events_and_the_retries_left_out()
    {
        var duplicates = (await GetJsonAsync("/api/duplicates")).EnumerateArray()
            .ToDictionary(d => d.GetProperty("table").GetString()!, d => (d.GetProperty("keyed_events").GetInt64(), d.GetProperty("duplicates").GetInt64()));

        Assert.Equal(
            new Dictionary<string, (long, long)> { ["sword_purchases"] = (1, 1), ["join_guilds"] = (0, 0), ["default_events"] = (0, 0) },
            duplicates);
    }

    [Fact]
    public async Task Catalog_setup_is_idempotent_and_exits_zero_when_run_again()
    {
        Assert.All(analytics.CatalogSetupRuns, run => Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError));
        Assert.Equal(2, analytics.CatalogSetupRuns.Count);
        Assert.Equal(4, (await GetJsonAsync("/api/tables/sword_purchases/count")).GetProperty("count").GetInt64());
        Assert.Equal(LakeTables.All.Count, (await GetJsonAsync("/api/tables")).GetArrayLength());
    }
}
