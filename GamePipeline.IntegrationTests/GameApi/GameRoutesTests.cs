using System.Diagnostics;
using System.Net;
using GamePipeline.Contracts;
using GamePipeline.Kafka;

namespace GamePipeline.Tests.GameApi;

public sealed class GameRoutesTests(GameApiFactory api) : IClassFixture<GameApiFactory>
{
    [Theory]
    [InlineData("/", "This is the default response!\n", GameEventTypes.Default)]
    [InlineData("/purchase_a_sword", "You Purchased a Sword!\n", GameEventTypes.PurchaseSword)]
    [InlineData("/join_the_guild", "You Joined the Guild!\n", GameEventTypes.JoinGuild)]
    public async Task Each_seed_route_answers_the_seeds_body_and_records_exactly_one_event(string path, string body, string eventType)
    {
        var marker = $"ApacheBench/2.3 {Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "user1.comcast.com";
        request.Headers.UserAgent.ParseAdd(marker);
        request.Headers.Accept.ParseAdd("*/*");
        var before = DateTimeOffset.UtcNow;

        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        var record = Assert.Single(api.Events(), r => r.Envelope.UserAgent == marker);
        var envelope = record.Envelope;
        Assert.Equal(eventType, envelope.EventType);
        Assert.Equal(EventSources.Route, envelope.Source);
        Assert.Equal("user1.comcast.com", envelope.Host);
        Assert.Equal("*/*", envelope.Accept);
        Assert.Equal("user1.comcast.com", envelope.UserId);
        Assert.Equal("user1.comcast.com", record.Key);
        Assert.Equal(7, envelope.EventId.Version);
        Assert.InRange(envelope.ReceivedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(TimeSpan.Zero, envelope.ReceivedAt.Offset);
        Assert.Equal(marker, envelope.Headers["User-Agent"]);
        Assert.Equal("user1.comcast.com", envelope.Headers["Host"]);
    }

    [Fact]
    public async Task A_header_cannot_overwrite_the_events_own_fields()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/purchase_a_sword");
        request.Headers.Add("X-Marker", marker);
        request.Headers.TryAddWithoutValidation("event_type", GameEventTypes.JoinGuild);
        request.Headers.TryAddWithoutValidation("event_id", "00000000-0000-0000-0000-000000000001");
        request.Headers.TryAddWithoutValidation("received_at", "1999-01-01T00:00:00Z");
        request.Headers.TryAddWithoutValidation("source", "batch");

        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var envelope = Assert.Single(api.Events(), r => r.Envelope.Headers.GetValueOrDefault("X-Marker") == marker).Envelope;
        Assert.Equal(GameEventTypes.PurchaseSword, envelope.EventType);
        Assert.NotEqual(Guid.Parse("00000000-0000-0000-0000-000000000001"), envelope.EventId);
        Assert.True(envelope.ReceivedAt.Year > 2000);
        Assert.Equal(EventSources.Route, envelope.Source);
        Assert.Equal(GameEventTypes.JoinGuild, envelope.Headers["event_type"]);
    }

    [Fact]
    public async Task Credentials_never_reach_kafka()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/join_the_guild");
        request.Headers.Add("X-Marker", marker);
        request.Headers.Authorization = TestKeys.Basic(TestKeys.WriteAlpha);
        request.Headers.TryAddWithoutValidation("Cookie", "session=top-secret-cookie");
        request.Headers.TryAddWithoutValidation("X-Api-Key", "top-secret-key");

        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(api.Events(), r => r.Text.Contains(marker));
        Assert.DoesNotContain("top-secret", record.Text);
        Assert.DoesNotContain(TestKeys.WriteAlpha, record.Text);
        Assert.DoesNotContain(TestKeys.Basic(TestKeys.WriteAlpha).Parameter!, record.Text);
        Assert.DoesNotContain(record.Envelope.Headers.Keys, k => k is "Authorization" or "Cookie" or "X-Api-Key");
    }

    [Fact]
    public async Task The_request_span_and_the_kafka_produce_span_share_one_trace()
    {
        using var recorder = new ActivityRecorder("Microsoft.AspNetCore", KafkaTelemetry.ActivitySourceName, "tests");
        using var source = new ActivitySource("tests");
        ActivityTraceId traceId;
        HttpResponseMessage response;
        using (var client = source.StartActivity("game client"))
        {
            // HttpClient sends the client's trace context as traceparent, as a game's instrumented client would.
            traceId = client!.TraceId;
            response = await api.Client.GetAsync("/purchase_a_sword");
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = recorder.InTrace(traceId);
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        var send = Assert.Single(spans, s => s.OperationName == $"send {Topics.Events}");
        Assert.Equal(server.SpanId, send.ParentSpanId);
        var record = Assert.Single(api.Events(), r => r.TraceParent?.Contains(traceId.ToHexString()) == true);
        Assert.Equal(GameEventTypes.PurchaseSword, record.Envelope.EventType);
        Assert.Contains(send.SpanId.ToHexString(), record.TraceParent);
    }

    [Fact]
    public async Task The_openapi_document_and_the_api_reference_page_are_served()
    {
        var document = await api.Client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/purchase_a_sword\"", document);
        Assert.Contains("\"/v1/events\"", document);

        using var page = await api.Client.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("scalar", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_seed_route_with_an_x_user_id_over_the_limit_is_refused_with_400_and_records_nothing()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/purchase_a_sword");
        request.Headers.Add("X-User-Id", marker + new string('x', 30_000));

        using var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("X-User-Id", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(api.Events(), r => r.Key?.StartsWith(marker, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task An_http_1_0_request_without_a_host_has_no_user_and_is_refused_with_400()
    {
        var marker = $"no-host-{Guid.NewGuid():N}";
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(api.Client.BaseAddress!.Host, api.Client.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /join_the_guild HTTP/1.0\r\nUser-Agent: {marker}\r\n\r\n"));
        var answer = await new StreamReader(stream).ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Contains("application/problem+json", answer);
        Assert.Contains("No user id", answer);
        Assert.DoesNotContain(api.Events(), r => r.Envelope.UserAgent == marker);
    }
}
