using DuckDB.NET.Data;
using GamePipeline.Sql;
using GamePipeline.Sql.Trino;

namespace GamePipeline.Tests.Trino;

/// <summary>
/// What AnalyticsApi needs from a SQL engine, proven the same way for DuckDB answering directly and for the Trino
/// REST client (against Trino's protocol served over DuckDB): rows and typed values, bound parameters, results
/// longer than a page, the catalog's own description of its tables, errors and cancellation.
/// </summary>
public abstract class SqlEngineContract : IAsyncLifetime
{
    protected string Database { get; } = Path.Combine(Directory.CreateTempSubdirectory("sql-contract-").FullName, "catalog.duckdb");

    protected ISqlEngine Engine { get; set; } = null!;

    public virtual ValueTask InitializeAsync()
    {
        using var connection = new DuckDBConnection($"Data Source={Database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE sword_purchases (event_id VARCHAR, host VARCHAR, event_time TIMESTAMPTZ, kafka_offset BIGINT);
            INSERT INTO sword_purchases VALUES
              ('e1', 'alpha.example', TIMESTAMPTZ '2026-11-25 10:00:00.250+00', 0),
              ('e2', 'alpha.example', TIMESTAMPTZ '2026-11-25 10:00:01+00', 1),
              ('e3', 'o''brien.example', TIMESTAMPTZ '2026-11-25 10:00:02+00', 2),
              ('e4', 'alpha.example', TIMESTAMPTZ '2026-11-25 10:00:03+00', 3),
              ('e5', 'beta.example', TIMESTAMPTZ '2026-11-25 09:59:00+00', 4);
            """;
        command.ExecuteNonQuery();
        return ValueTask.CompletedTask;
    }

    public virtual ValueTask DisposeAsync()
    {
        (Engine as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static DateTimeOffset Instant(object? value) => value switch
    {
        DateTimeOffset at => at.ToUniversalTime(),
        DateTime at => new DateTimeOffset(DateTime.SpecifyKind(at.ToUniversalTime(), DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"{value?.GetType().Name ?? "null"} is not a timestamp"),
    };

    [Fact]
    public async Task Grouped_rows_come_back_in_order_with_counts_and_utc_timestamps()
    {
        var result = await Engine.QueryAsync(
            "SELECT host, COUNT(*) AS requests, MIN(event_time) AS first_seen FROM sword_purchases GROUP BY host ORDER BY requests DESC, host", [], CancellationToken.None);

        Assert.Equal(["host", "requests", "first_seen"], result.Columns);
        Assert.Equal(
            [("alpha.example", 3L, new DateTimeOffset(2026, 11, 25, 10, 0, 0, 250, TimeSpan.Zero)),
             ("beta.example", 1L, new DateTimeOffset(2026, 11, 25, 9, 59, 0, TimeSpan.Zero)),
             ("o'brien.example", 1L, new DateTimeOffset(2026, 11, 25, 10, 0, 2, TimeSpan.Zero))],
            result.Rows.Select(r => ((string)r[0]!, Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture), Instant(r[2]))));
    }

    [Fact]
    public async Task Parameters_are_bound_as_values_never_as_sql()
    {
        var result = await Engine.QueryAsync(
            "SELECT event_id FROM sword_purchases WHERE host = ? AND event_time >= ? AND kafka_offset >= ? ORDER BY event_id",
            ["o'brien.example", new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero), 1L],
            CancellationToken.None);
        var injection = await Engine.QueryAsync("SELECT COUNT(*) AS n FROM sword_purchases WHERE host = ?", ["x' OR '1'='1"], CancellationToken.None);

        Assert.Equal(["e3"], result.Rows.Select(r => r[0]));
        Assert.Equal(0L, Convert.ToInt64(injection.Rows.Single()[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_result_longer_than_a_page_arrives_whole_and_in_order()
    {
        var result = await Engine.QueryAsync("SELECT event_id, kafka_offset FROM sword_purchases ORDER BY kafka_offset", [], CancellationToken.None);

        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], result.Rows.Select(r => r[0]));
    }

    [Fact]
    public async Task The_catalog_describes_its_tables_in_the_engines_schema()
    {
        var result = await Engine.QueryAsync(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [Engine.Schema, "sword_purchases"], CancellationToken.None);

        Assert.Equal(["event_id", "host", "event_time", "kafka_offset"], result.Rows.Select(r => r[0]));
    }

    [Fact]
    public async Task A_bad_query_fails_with_the_engines_reason()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Engine.QueryAsync("SELECT no_such_column FROM sword_purchases", [], CancellationToken.None));

        Assert.Contains("no_such_column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_caller_gets_a_cancellation_not_a_result()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine.QueryAsync("SELECT * FROM sword_purchases", [], cancelled.Token));
    }
}

public sealed class DuckDbSqlEngineContractTests : SqlEngineContract
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Engine = new DuckDbSqlEngine(Database);
    }
}

public sealed class TrinoSqlEngineContractTests : SqlEngineContract
{
    private DuckDbBackedTrino _trino = null!;
    private readonly HttpClient _http = new();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _trino = await DuckDbBackedTrino.StartAsync(Database);
        Engine = new TrinoSqlEngine(_http, new TrinoOptions { Endpoint = _trino.Endpoint, Schema = "main" });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _http.Dispose();
        await _trino.DisposeAsync();
    }
}
