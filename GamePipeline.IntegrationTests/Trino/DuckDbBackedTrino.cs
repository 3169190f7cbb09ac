using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GamePipeline.Tests.Trino;

/// <summary>
/// Trino's client protocol in front of a real SQL engine: statements (including the client's
/// <c>EXECUTE IMMEDIATE '…' USING …</c>) run on DuckDB over a database file, and the answer comes back the way
/// Trino sends it — queued first, then pages of <see cref="PageSize"/> rows linked by nextUri, Trino's type names
/// and JSON value forms, errors as HTTP 200 with <c>error</c>. So one SQL-engine contract can be run through the
/// REST client and compared with DuckDB answering directly.
/// </summary>
public sealed partial class DuckDbBackedTrino : IAsyncDisposable
{
    public const int PageSize = 2;
    private WebApplication _app = null!;
    private readonly string _database;
    private readonly ConcurrentDictionary<string, (JsonArray Columns, List<JsonArray> Rows, JsonObject? Error)> _results = new();
    private int _queries;

    private DuckDbBackedTrino(string database) => _database = database;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<DuckDbBackedTrino> StartAsync(string database)
    {
        var trino = new DuckDbBackedTrino(database);
        (trino._app, trino.Endpoint) = await InProcessHosts.StartWebAppAsync(app =>
        {
            app.MapPost("/v1/statement", trino.Submit);
            app.MapGet("/v1/statement/executing/{id}/{page:int}", trino.Page);
            app.MapDelete("/v1/statement/executing/{id}/{page:int}", () => Results.NoContent());
        });
        return trino;
    }

    private async Task<IResult> Submit(HttpRequest request)
    {
        var statement = await new StreamReader(request.Body).ReadToEndAsync();
        var id = $"q{Interlocked.Increment(ref _queries)}";
        _results[id] = Execute(statement);
        return Results.Json(new JsonObject { ["id"] = id, ["nextUri"] = Next(id, 0), ["stats"] = new JsonObject { ["state"] = "QUEUED" } });
    }

    private IResult Page(string id, int page)
    {
        var (columns, rows, error) = _results[id];
        var body = new JsonObject { ["id"] = id, ["stats"] = new JsonObject { ["state"] = "RUNNING" } };
        if (error is not null)
        {
            body["error"] = error.DeepClone();
            body["stats"] = new JsonObject { ["state"] = "FAILED" };
            return Results.Json(body);
        }

        body["columns"] = columns.DeepClone();
        body["data"] = new JsonArray([.. rows.Skip(page * PageSize).Take(PageSize).Select(r => r.DeepClone())]);
        if ((page + 1) * PageSize < rows.Count)
        {
            body["nextUri"] = Next(id, page + 1);
        }
        else
        {
            body["stats"] = new JsonObject { ["state"] = "FINISHED" };
        }

        return Results.Json(body);
    }

    private (JsonArray, List<JsonArray>, JsonObject?) Execute(string statement)
    {
        try
        {
            using var connection = new DuckDBConnection($"Data Source={_database};ACCESS_MODE=READ_ONLY");
            connection.Open();
            using var command = connection.CreateCommand();
            if (ParseExecuteImmediate(statement) is var (sql, arguments))
            {
                command.CommandText = $"PREPARE statement AS {sql}";
                command.ExecuteNonQuery();
                command.CommandText = $"EXECUTE statement({arguments})";
            }
            else
            {
                command.CommandText = statement;
            }

            using var reader = command.ExecuteReader();
            var columns = new JsonArray();
            var types = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                types[i] = TrinoType(reader.GetDataTypeName(i));
                columns.Add(new JsonObject { ["name"] = reader.GetName(i), ["type"] = types[i] });
            }

            var rows = new List<JsonArray>();
            while (reader.Read())
            {
                rows.Add(new JsonArray([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : TrinoValue(reader.GetValue(i), types[i]))]));
            }

            return (columns, rows, null);
        }
        catch (DuckDBException e)
        {
            return ([], [], new JsonObject { ["message"] = e.Message, ["errorName"] = "GENERIC_USER_ERROR", ["errorType"] = "USER_ERROR" });
        }
    }

    /// <summary>The client's binding, <c>EXECUTE IMMEDIATE 'sql' USING literal, …</c>, as DuckDB's prepared statement arguments.</summary>
    private static (string Sql, string Arguments)? ParseExecuteImmediate(string statement)
    {
        const string Prefix = "EXECUTE IMMEDIATE '";
        if (!statement.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var sql = new StringBuilder();
        var i = Prefix.Length;
        for (; ; i++)
        {
            if (statement[i] == '\'' && i + 1 < statement.Length && statement[i + 1] == '\'')
            {
                sql.Append('\'');
                i++;
            }
            else if (statement[i] == '\'')
            {
                break;
            }
            else
            {
                sql.Append(statement[i]);
            }
        }

        var arguments = statement[(i + 1)..].Trim();
        arguments = arguments["USING".Length..];
        return (sql.ToString(), UtcTimestamp().Replace(arguments, "TIMESTAMPTZ '$1+00'"));
    }

    private static string TrinoType(string duckDbType) => duckDbType.ToUpperInvariant() switch
    {
        "VARCHAR" => "varchar",
        "BIGINT" or "HUGEINT" => "bigint",
        "INTEGER" => "integer",
        "DOUBLE" => "double",
        "BOOLEAN" => "boolean",
        "DATE" => "date",
        "TIMESTAMP" => "timestamp(3)",
        "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" => "timestamp(3) with time zone",
        var other => throw new NotSupportedException($"No Trino type for DuckDB {other}"),
    };

    private static JsonNode? TrinoValue(object value, string type) => (value, type) switch
    {
        (DateTimeOffset at, _) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " UTC",
        (DateTime at, "timestamp(3) with time zone") => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " UTC",
        (DateTime at, _) => at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        (DateOnly day, _) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        (System.Numerics.BigInteger big, _) => (long)big,
        (string text, _) => text,
        (bool flag, _) => flag,
        (double number, _) => number,
        (IConvertible number, _) => System.Convert.ToInt64(number, CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException($"No Trino value for {value.GetType().Name}"),
    };

    private string Next(string id, int page) => new Uri(Endpoint, $"/v1/statement/executing/{id}/{page}").ToString();

    [GeneratedRegex("TIMESTAMP '([^']*) UTC'")]
    private static partial Regex UtcTimestamp();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
