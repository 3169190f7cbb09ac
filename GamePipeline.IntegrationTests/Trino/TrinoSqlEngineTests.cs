using GamePipeline.Sql.Trino;

namespace GamePipeline.Tests.Trino;

public sealed class TrinoSqlEngineTests : IAsyncLifetime
{
    private FakeTrino _trino = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _trino = await FakeTrino.StartAsync();
        _http = new HttpClient();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _trino.DisposeAsync();
    }

    private TrinoSqlEngine Engine(TimeSpan? queryTimeout = null) => new(_http, new TrinoOptions
    {
        Endpoint = _trino.Endpoint,
        User = "analyst",
        RetryDelay = TimeSpan.FromMilliseconds(10),
        QueryTimeout = queryTimeout ?? TimeSpan.FromSeconds(30),
    });

    [Fact]
    public async Task A_result_spread_over_pages_is_collected_with_typed_values()
    {
        var result = await Engine().QueryAsync("SELECT host, COUNT(*) AS requests, MIN(event_time) FROM hive.default.sword_purchases GROUP BY host", [], CancellationToken.None);

        Assert.Equal(["host", "requests", "first_seen"], result.Columns);
        Assert.Equal(3, result.Rows.Count);
        Assert.Equal(["user3.gogov.com", 60L, new DateTimeOffset(2026, 11, 25, 12, 0, 0, 250, TimeSpan.Zero)], result.Rows[0]);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 30, 0, TimeSpan.Zero), ((DateTimeOffset)result.Rows[1][2]!).ToUniversalTime());
        Assert.Null(result.Rows[2][2]);
        Assert.Equal("analyst", _trino.LastHeaders["X-Trino-User"]);
        Assert.Equal("delta", _trino.LastHeaders["X-Trino-Catalog"]);
        Assert.Equal("default", _trino.LastHeaders["X-Trino-Schema"]);
        Assert.Equal("UTC", _trino.LastHeaders["X-Trino-Time-Zone"]);
    }

    [Fact]
    public async Task Parameters_are_bound_as_typed_literals_never_spliced_raw()
    {
        await Engine().QueryAsync("SELECT COUNT(*) FROM t WHERE host = ? AND n > ? AND at >= ?", ["o'brien'); DROP TABLE t; --", 5, new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)], CancellationToken.None);

        Assert.Equal(
            "EXECUTE IMMEDIATE 'SELECT COUNT(*) FROM t WHERE host = ? AND n > ? AND at >= ?' USING 'o''brien''); DROP TABLE t; --', 5, TIMESTAMP '2026-11-25 12:00:00.000 UTC'",
            _trino.Statements.Last());
    }

    [Fact]
    public async Task A_table_at_a_version_is_read_with_the_delta_connectors_time_travel_clause()
    {
        var engine = Engine();

        await engine.QueryAsync($"SELECT COUNT(*) FROM {await engine.TableAtAsync("sword_purchases", 3, CancellationToken.None)}", [], CancellationToken.None);
        await engine.QueryAsync($"SELECT COUNT(*) FROM {await engine.TableAtAsync("sword_purchases", null, CancellationToken.None)}", [], CancellationToken.None);

        Assert.Equal(["SELECT COUNT(*) FROM \"sword_purchases\" FOR VERSION AS OF 3", "SELECT COUNT(*) FROM \"sword_purchases\""], _trino.Statements.TakeLast(2));
    }

    [Fact]
    public async Task An_error_sent_as_http_200_becomes_an_exception_naming_it()
    {
        var error = await Assert.ThrowsAsync<TrinoQueryException>(() => Engine().QueryAsync("SELECT nope FAIL", [], CancellationToken.None));

        Assert.Equal("COLUMN_NOT_FOUND", error.ErrorName);
        Assert.Contains("cannot be resolved", error.Message);
    }

    [Fact]
    public async Task Busy_answers_503_are_retried_until_the_query_completes()
    {
        var result = await Engine().QueryAsync("SELECT BUSY", [], CancellationToken.None);

        Assert.Equal(3, result.Rows.Count);
        Assert.True(_trino.BusyAnswers >= 9, $"{_trino.BusyAnswers} answers for 3 pages");
    }

    [Fact]
    public async Task Cancelling_a_running_query_deletes_it_on_the_cluster()
    {
        // Long enough for the statement's first answer (its id) to arrive on a busy machine: only a query the
        // cluster has named can be cancelled there. SLOW then pages without end.
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(1_500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine().QueryAsync("SELECT SLOW", [], caller.Token));

        Assert.Single(_trino.Cancelled);
    }

    [Fact]
    public async Task A_query_past_its_timeout_is_cancelled_on_the_cluster()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine(TimeSpan.FromMilliseconds(300)).QueryAsync("SELECT SLOW", [], CancellationToken.None));

        Assert.Single(_trino.Cancelled);
    }

    [Theory]
    [InlineData("http://trino:8080", "http://trino:8080/", "gamepipeline", "delta", "default")]
    [InlineData("https://trino.example:8443?user=analyst&catalog=lake&schema=games", "https://trino.example:8443/", "analyst", "lake", "games")]
    public void Connection_strings_name_the_endpoint_and_optionally_user_catalog_and_schema(string connectionString, string endpoint, string user, string catalog, string schema)
    {
        var options = TrinoOptions.FromConnectionString(connectionString);

        Assert.Equal((new Uri(endpoint), user, catalog, schema), (options.Endpoint, options.User, options.Catalog, options.Schema));
    }
}
