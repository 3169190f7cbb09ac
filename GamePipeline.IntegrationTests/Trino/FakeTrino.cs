using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GamePipeline.Tests.Trino;

/// <summary>
/// An in-process HTTP server speaking Trino's documented client protocol (POST /v1/statement, pages linked by
/// nextUri, errors as HTTP 200 with "error", DELETE nextUri to cancel), scripted by what the SQL says:
/// FAIL → an error, BUSY → two 503s before each page, SLOW → pages without end, anything else → three pages.
/// </summary>
public sealed class FakeTrino : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _queries;
    private readonly ConcurrentDictionary<string, string> _statementsById = new();

    public ConcurrentQueue<string> Statements { get; } = new();

    public ConcurrentQueue<string> Cancelled { get; } = new();

    public ConcurrentDictionary<string, string> LastHeaders { get; } = new();

    public int BusyAnswers;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<FakeTrino> StartAsync()
    {
        var fake = new FakeTrino();
        (fake._app, fake.Endpoint) = await InProcessHosts.StartWebAppAsync(app =>
        {
            app.MapPost("/v1/statement", fake.Submit);
            app.MapGet("/v1/statement/executing/{id}/{kind}/{page:int}", fake.Page);
            app.MapDelete("/v1/statement/executing/{id}/{kind}/{page:int}", (string id) => { fake.Cancelled.Enqueue(id); return Results.NoContent(); });
        });
        return fake;
    }

    private async Task<IResult> Submit(HttpRequest request)
    {
        var sql = await new StreamReader(request.Body).ReadToEndAsync();
        Statements.Enqueue(sql);
        foreach (var name in new[] { "X-Trino-User", "X-Trino-Catalog", "X-Trino-Schema", "X-Trino-Source", "X-Trino-Time-Zone" })
        {
            LastHeaders[name] = request.Headers[name].ToString();
        }

        var id = $"q{Interlocked.Increment(ref _queries)}";
        _statementsById[id] = sql;
        if (sql.Contains("FAIL", StringComparison.Ordinal))
        {
            return Results.Json(new JsonObject
            {
                ["id"] = id,
                ["stats"] = new JsonObject { ["state"] = "FAILED" },
                ["error"] = new JsonObject { ["message"] = "line 1:8: Column 'nope' cannot be resolved", ["errorName"] = "COLUMN_NOT_FOUND", ["errorType"] = "USER_ERROR" },
            });
        }

        var kind = sql.Contains("SLOW", StringComparison.Ordinal) ? "slow" : sql.Contains("BUSY", StringComparison.Ordinal) ? "busy" : "normal";
        return Results.Json(new JsonObject { ["id"] = id, ["nextUri"] = Next(id, kind, 1), ["stats"] = new JsonObject { ["state"] = "QUEUED" } });
    }

    private IResult Page(string id, string kind, int page)
    {
        if (kind == "busy" && Interlocked.Increment(ref BusyAnswers) % 3 != 0)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        var body = new JsonObject { ["id"] = id, ["stats"] = new JsonObject { ["state"] = "RUNNING" } };
        if (kind == "slow")
        {
            body["nextUri"] = Next(id, kind, page + 1);
            return Results.Json(body);
        }

        if (_statementsById.TryGetValue(id, out var statement) && statement.Contains("information_schema.columns", StringComparison.Ordinal))
        {
            // The lake's catalog as Trino's information_schema shows it.
            body["columns"] = new JsonArray(Column("table_name", "varchar"), Column("column_name", "varchar"), Column("data_type", "varchar"));
            body["data"] = new JsonArray(
                new JsonArray("sword_purchases", "event_id", "varchar"), new JsonArray("sword_purchases", "host", "varchar"),
                new JsonArray("sword_purchases", "event_time", "timestamp(3) with time zone"), new JsonArray("sword_purchases", "dt", "date"));
            return Results.Json(body);
        }

        if (statement?.Contains("information_schema.tables", StringComparison.Ordinal) == true)
        {
            // No table is registered yet.
            body["columns"] = new JsonArray(Column("table_name", "varchar"));
            body["data"] = new JsonArray();
            body["stats"] = new JsonObject { ["state"] = "FINISHED" };
            return Results.Json(body);
        }

        switch (page)
        {
            case 1:
                body["columns"] = new JsonArray(Column("host", "varchar"), Column("requests", "bigint"), Column("first_seen", "timestamp(3) with time zone"));
                body["nextUri"] = Next(id, kind, 2);
                break;
            case 2:
                body["columns"] = new JsonArray(Column("host", "varchar"), Column("requests", "bigint"), Column("first_seen", "timestamp(3) with time zone"));
                body["data"] = new JsonArray(new JsonArray("user3.gogov.com", 60, "2026-11-25 12:00:00.250 UTC"), new JsonArray("user2.att.com", 50, "2026-11-25 13:30:00.000 +01:00"));
                body["nextUri"] = Next(id, kind, 3);
                break;
            default:
                body["data"] = new JsonArray(new JsonArray("user1.comcast.com", 40, null));
                body["stats"] = new JsonObject { ["state"] = "FINISHED" };
                break;
        }

        return Results.Json(body);
    }

    private string Next(string id, string kind, int page) => new Uri(Endpoint, $"/v1/statement/executing/{id}/{kind}/{page}").ToString();

    private static JsonObject Column(string name, string type) => new() { ["name"] = name, ["type"] = type };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
