using GameApi.Ingest;
using Microsoft.AspNetCore.Http;

namespace GamePipeline.Tests.GameApi;

public sealed class IdempotencyKeyTests
{
    private static (string? Key, string? Problem) Read(params string[] values)
    {
        var context = new DefaultHttpContext();
        if (values.Length > 0)
        {
            context.Request.Headers[IdempotencyKey.Header] = values;
        }

        return IdempotencyKey.Read(context.Request);
    }

    [Theory]
    [InlineData("8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324")]
    [InlineData("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"", "8e03978e-40d5-43e8-bc93-6894a57f9324")]
    [InlineData("\"order 17 \\\"gold\\\"\"", "order 17 \"gold\"")]
    [InlineData("order-17", "order-17")]
    public void A_key_is_read_as_a_structured_field_string_or_a_bare_token(string header, string key) =>
        Assert.Equal((key, null), Read(header));

    [Theory]
    [InlineData("")]
    [InlineData("\"\"")]
    [InlineData("\"unterminated")]
    [InlineData("\"bad \\n escape\"")]
    [InlineData("bare\"quote")]
    [InlineData("ünïcode")]
    public void A_key_that_is_empty_not_ascii_or_badly_quoted_is_refused(string header)
    {
        var (key, problem) = Read(header);
        Assert.Null(key);
        Assert.Contains("Idempotency-Key must be", problem);
    }

    [Fact]
    public void No_header_is_no_key_and_two_are_refused()
    {
        Assert.Equal((null, null), Read());
        Assert.Contains("not 2", Read("a", "b").Problem);
        Assert.NotNull(Read(new string('k', IdempotencyKey.MaxLength + 1)).Problem);
        Assert.Null(Read(new string('k', IdempotencyKey.MaxLength)).Problem);
    }

    [Fact]
    public void Derived_event_ids_are_version_5_stable_and_differ_by_user_key_and_place()
    {
        var id = IdempotencyKey.EventId("player-1", "order-17", 0);

        Assert.Equal(5, id.Version);
        Assert.Equal(id, IdempotencyKey.EventId("player-1", "order-17", 0));
        Assert.Equal(4, new[]
        {
            id,
            IdempotencyKey.EventId("player-2", "order-17", 0),
            IdempotencyKey.EventId("player-1", "order-18", 0),
            IdempotencyKey.EventId("player-1", "order-17", 1),
        }.Distinct().Count());
    }
}
