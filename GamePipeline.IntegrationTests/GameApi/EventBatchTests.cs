using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GamePipeline.Contracts;

namespace GamePipeline.Tests.GameApi;

public sealed class EventBatchTests(GameApiFactory api) : IClassFixture<GameApiFactory>
{
    private static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    [Fact]
    public async Task A_valid_batch_is_accepted_with_counts_and_every_event_lands_in_kafka_keyed_by_user()
    {
        var user = $"player-{Guid.NewGuid():N}";
        var clientEventId = Guid.NewGuid();
        var json = $$$"""
        {"user_id":"{{{user}}}","events":[
          {"event_type":"join_guild","client_time":"2026-11-25T10:00:00Z","properties":{"guild":"knights"}},
          {"event_type":"purchase_sword","event_id":"{{{clientEventId}}}","properties":{"sword":"excalibur","price":120}},
          {"event_type":"purchase_sword"}]}
        """;

        using var response = await api.Client.PostAsync("/v1/events", Json(json));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, body.RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(2, body.RootElement.GetProperty("by_type").GetProperty("purchase_sword").GetInt32());
        Assert.Equal(1, body.RootElement.GetProperty("by_type").GetProperty("join_guild").GetInt32());
        var ids = body.RootElement.GetProperty("event_ids").EnumerateArray().Select(e => e.GetGuid()).ToList();

        // The batch is one Kafka record, written whole or not at all, keyed by its user.
        var record = Assert.Single(api.Events(), r => r.Key == user);
        var events = record.Envelopes;
        Assert.Equal(ids, events.Select(e => e.EventId));
        Assert.Contains(events, e => e.EventId == clientEventId);
        var join = events.Single(e => e.EventType == GameEventTypes.JoinGuild);
        Assert.Equal(DateTimeOffset.Parse("2026-11-25T10:00:00Z"), join.ClientTime);
        Assert.Equal("knights", join.Properties!.Value.GetProperty("guild").GetString());
        Assert.Equal(EventSources.Batch, join.Source);
        Assert.Equal(user, join.UserId);
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadBatches => new()
    {
        { "malformed JSON", """{"user_id":"USER","events":[{"event_type":""", HttpStatusCode.BadRequest, "not a valid event batch" },
        { "not an object", """[1,2,3]""", HttpStatusCode.BadRequest, "not a valid event batch" },
        { "unknown event type", """{"user_id":"USER","events":[{"event_type":"join_guild"},{"event_type":"slay_dragon"}]}""", HttpStatusCode.BadRequest, "events[1].event_type" },
        { "missing event type", """{"user_id":"USER","events":[{"properties":{}}]}""", HttpStatusCode.BadRequest, "event_type is required" },
        { "wrong field type", """{"user_id":"USER","events":[{"event_type":"join_guild","client_time":12}]}""", HttpStatusCode.BadRequest, "client_time" },
        { "properties not an object", """{"user_id":"USER","events":[{"event_type":"join_guild","properties":[1]}]}""", HttpStatusCode.BadRequest, "properties must be a JSON object" },
        { "unknown field", """{"user_id":"USER","events":[{"event_type":"join_guild","evnt_id":"x"}]}""", HttpStatusCode.BadRequest, "evnt_id" },
        { "lone surrogate", """{"user_id":"USER","events":[{"event_type":"join_guild","properties":{"ok":1}},{"event_type":"join_guild","properties":{"ok":2}},{"event_type":"purchase_sword","properties":{"a":"\udc00"}}]}""", HttpStatusCode.BadRequest, "events[2].properties.a" },
        { "lone surrogate deep", """{"user_id":"USER","events":[{"event_type":"join_guild","properties":{"inv":[{"name":"ok"},{"name":"\ud83d"}]}}]}""", HttpStatusCode.BadRequest, "events[0].properties.inv[1].name" },
        { "user_id too long", $$"""{"user_id":"USER{{new string('u', 300)}}","events":[{"event_type":"join_guild"}]}""", HttpStatusCode.BadRequest, "user_id" },
        { "empty user_id", """{"user_id":"","events":[{"event_type":"join_guild"}]}""", HttpStatusCode.BadRequest, "user_id must be 1 to 256 characters" },
        { "no events", """{"user_id":"USER","events":[]}""", HttpStatusCode.BadRequest, "no 'events'" },
        { "too many events", $$"""{"user_id":"USER","events":[{{string.Join(",", Enumerable.Repeat("""{"event_type":"default"}""", 51))}}]}""", HttpStatusCode.RequestEntityTooLarge, "limit is 50" },
        { "oversize body", $$$"""{"user_id":"USER","events":[{"event_type":"default","properties":{"blob":"{{{new string('x', 70_000)}}}"}}]}""", HttpStatusCode.RequestEntityTooLarge, "limit" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_batch_is_refused_with_problem_details_naming_the_problem_and_nothing_is_written(string why, string json, HttpStatusCode status, string named)
    {
        var user = $"refused-{Guid.NewGuid():N}";

        using var response = await api.Client.PostAsync("/v1/events", Json(json.Replace("USER", user)));

        Assert.True(status == response.StatusCode, $"{why}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(api.Events(), r => r.Key == user);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_batch_with_the_wrong_content_type_is_refused_with_415(string contentType)
    {
        var user = $"refused-{Guid.NewGuid():N}";

        using var response = await api.Client.PostAsync("/v1/events", Json($$"""{"user_id":"{{user}}","events":[{"event_type":"default"}]}""", contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(api.Events(), r => r.Key == user);
    }

    [Fact]
    public async Task A_batch_without_a_content_type_is_refused_with_415_and_nothing_is_written()
    {
        var user = $"refused-{Guid.NewGuid():N}";
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"user_id":"{{user}}","events":[{"event_type":"default"}]}"""));

        using var response = await api.Client.PostAsync("/v1/events", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("(none)", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(api.Events(), r => r.Key == user);
    }

    [Fact]
    public async Task An_x_user_id_header_over_the_user_id_limit_is_refused_like_a_body_user_id()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = Json("""{"events":[{"event_type":"default"}]}""") };
        request.Headers.Add("X-User-Id", marker + new string('x', 300));

        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("limit is 256", problem.GetProperty("errors").GetProperty("X-User-Id")[0].GetString());
        Assert.DoesNotContain(api.Events(), r => r.Key?.StartsWith(marker, StringComparison.Ordinal) == true);
    }
}
