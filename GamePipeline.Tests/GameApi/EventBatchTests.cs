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

        var records = api.Events().Where(r => r.Key == user).ToList();
        Assert.Equal(3, records.Count);
        Assert.Single(records.Select(r => r.Partition).Distinct());
        Assert.Equal(ids, records.OrderBy(r => r.Offset).Select(r => r.Envelope.EventId));
        Assert.Contains(records, r => r.Envelope.EventId == clientEventId);
        var join = records.Single(r => r.Envelope.EventType == GameEventTypes.JoinGuild).Envelope;
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
}
