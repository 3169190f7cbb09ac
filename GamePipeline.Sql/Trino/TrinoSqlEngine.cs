using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GamePipeline.Sql.Trino;

/// <summary>Where and as whom to run queries on a Trino (or Presto) cluster.</summary>
public sealed record TrinoOptions
{
    public required Uri Endpoint { get; init; }

    public string User { get; init; } = "gamepipeline";

    public string Catalog { get; init; } = "delta";

    public string Schema { get; init; } = "default";

    /// <summary>Attempts per HTTP call when Trino answers 502, 503 or 504 (busy or restarting).</summary>
    public int MaxAttempts { get; init; } = 5;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest a whole query may take; it is cancelled on the cluster after that.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// From a connection string <c>http(s)://host:port[?user=…&amp;catalog=…&amp;schema=…]</c>; what the query does not
    /// name keeps its default.
    /// </summary>
    public static TrinoOptions FromConnectionString(string connectionString)
    {
        var uri = new Uri(connectionString);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var defaults = new TrinoOptions { Endpoint = new UriBuilder(uri) { Query = "" }.Uri };
        return defaults with
        {
            User = query["user"] ?? defaults.User,
            Catalog = query["catalog"] ?? defaults.Catalog,
            Schema = query["schema"] ?? defaults.Schema,
        };
    }
}

/// <summary>A query Trino refused or failed (Trino reports these as HTTP 200 with an <c>error</c> object).</summary>
public sealed class TrinoQueryException(string message, string? errorName, string? queryId) : Exception(message)
{
    public string? ErrorName { get; } = errorName;

    public string? QueryId { get; } = queryId;
}

/// <summary>
/// Trino's client REST protocol: <c>POST /v1/statement</c>, then follow <c>nextUri</c> until it is absent,
/// collecting columns and rows; errors arrive as HTTP 200 with <c>error</c>; 502/503/504 are retried;
/// cancelling (the caller gave up, or the query timed out) sends <c>DELETE nextUri</c> so the cluster stops too.
/// Values are bound with <c>EXECUTE IMMEDIATE … USING</c> as typed literals (Trino's protocol has no separate
/// parameter channel; its JDBC driver does the same).
/// </summary>
public sealed class TrinoSqlEngine(HttpClient http, TrinoOptions options) : ISqlEngine
{
    public string Description => $"Trino at {options.Endpoint} ({options.Catalog}.{options.Schema})";

    public string Schema => options.Schema;

    /// <summary>The <c>delta_lake</c> connector's time travel: <c>FOR VERSION AS OF</c>.</summary>
    public Task<string> TableAtAsync(string table, long? version, CancellationToken cancellationToken) =>
        Task.FromResult(version is { } at
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{SqlIdentifiers.Quote(table)} FOR VERSION AS OF {at}")
            : SqlIdentifiers.Quote(table));

    public async Task<SqlResult> QueryAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.QueryTimeout);
        var token = timeout.Token;

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Endpoint, "/v1/statement"))
        {
            Content = new StringContent(Bind(sql, parameters), Encoding.UTF8, "text/plain"),
        };
        var page = await SendAsync(request, token);
        var columns = new List<TrinoColumn>();
        var rows = new List<object?[]>();
        try
        {
            while (true)
            {
                if (page.Error is { } error)
                {
                    throw new TrinoQueryException($"Trino query {page.Id} failed: {error.ErrorName}: {error.Message}", error.ErrorName, page.Id);
                }

                if (columns.Count == 0 && page.Columns is { Count: > 0 } pageColumns)
                {
                    columns.AddRange(pageColumns);
                }

                foreach (var row in page.Data ?? [])
                {
                    rows.Add([.. row.Select((value, i) => Convert(value, columns[i].Type))]);
                }

                if (page.NextUri is not { } next)
                {
                    return new SqlResult([.. columns.Select(c => c.Name)], rows);
                }

                using var nextRequest = new HttpRequestMessage(HttpMethod.Get, next);
                page = await SendAsync(nextRequest, token);
            }
        }
        catch (OperationCanceledException) when (page.NextUri is { } running)
        {
            // Tell the cluster to stop; don't let the caller's cancellation cancel the cancellation.
            using var cancel = new HttpRequestMessage(HttpMethod.Delete, running);
            using var _ = await http.SendAsync(cancel, CancellationToken.None);
            throw;
        }
    }

    private async Task<TrinoPage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Add("X-Trino-User", options.User);
        request.Headers.Add("X-Trino-Catalog", options.Catalog);
        request.Headers.Add("X-Trino-Schema", options.Schema);
        request.Headers.Add("X-Trino-Source", "gamepipeline");
        // Timestamps in the session's zone would otherwise follow the server's.
        request.Headers.Add("X-Trino-Time-Zone", "UTC");
        for (var attempt = 1; ; attempt++)
        {
            using var attemptRequest = await CloneAsync(request, cancellationToken);
            using var response = await http.SendAsync(attemptRequest, cancellationToken);
            if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
                && attempt < options.MaxAttempts)
            {
                await Task.Delay(options.RetryDelay * attempt, cancellationToken);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new TrinoQueryException(
                    $"Trino answered {(int)response.StatusCode} {response.ReasonPhrase} to {request.Method} {request.RequestUri}: {await response.Content.ReadAsStringAsync(cancellationToken)}",
                    null, null);
            }

            return await response.Content.ReadFromJsonAsync(TrinoJsonContext.Default.TrinoPage, cancellationToken)
                ?? throw new TrinoQueryException($"Trino sent an empty page for {request.RequestUri}", null, null);
        }
    }

    private static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var header in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (request.Content is not null)
        {
            clone.Content = new StringContent(await request.Content.ReadAsStringAsync(cancellationToken), Encoding.UTF8, "text/plain");
        }

        return clone;
    }

    /// <summary>Positional <c>?</c> parameters as Trino's <c>EXECUTE IMMEDIATE 'sql' USING literal, …</c>.</summary>
    public static string Bind(string sql, IReadOnlyList<object?> parameters) =>
        parameters.Count == 0
            ? sql
            : $"EXECUTE IMMEDIATE {Literal(sql)} USING {string.Join(", ", parameters.Select(Literal))}";

    /// <summary>A typed SQL literal: strings quoted with doubled quotes, numbers invariant, times as TIMESTAMP literals.</summary>
    public static string Literal(object? value) => value switch
    {
        null => "NULL",
        string text => SqlText.Quote(text),
        bool flag => flag ? "TRUE" : "FALSE",
        int or long or short or byte => string.Create(CultureInfo.InvariantCulture, $"{value}"),
        double number => number.ToString("R", CultureInfo.InvariantCulture) is var r && (r.Contains('E') || r.Contains('.')) ? $"DOUBLE '{r}'" : $"DOUBLE '{r}.0'",
        decimal number => $"DECIMAL '{number.ToString(CultureInfo.InvariantCulture)}'",
        DateTimeOffset at => $"TIMESTAMP '{at.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff} UTC'",
        DateTime at => $"TIMESTAMP '{DateTime.SpecifyKind(at, DateTimeKind.Utc):yyyy-MM-dd HH:mm:ss.fff} UTC'",
        DateOnly day => $"DATE '{day:yyyy-MM-dd}'",
        _ => throw new ArgumentException($"No Trino literal for {value.GetType().Name}", nameof(value)),
    };

    /// <summary>Trino's JSON values to CLR values by the column's type.</summary>
    public static object? Convert(JsonElement value, string type)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var baseType = type.Split('(')[0].Trim();
        return baseType switch
        {
            "bigint" or "integer" or "smallint" or "tinyint" => value.GetInt64(),
            "double" or "real" => value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble(),
            "decimal" => decimal.Parse(value.GetString()!, CultureInfo.InvariantCulture),
            "boolean" => value.GetBoolean(),
            "date" => DateOnly.ParseExact(value.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            "timestamp" when type.Contains("with time zone", StringComparison.Ordinal) => ParseZoned(value.GetString()!),
            "timestamp" => DateTime.SpecifyKind(DateTime.Parse(value.GetString()!, CultureInfo.InvariantCulture), DateTimeKind.Utc),
            _ => value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(),
        };
    }

    /// <summary>"2026-11-25 12:00:00.000 UTC" (a zone name) or "… +01:00" (an offset).</summary>
    private static DateTimeOffset ParseZoned(string text)
    {
        var space = text.LastIndexOf(' ');
        var (local, zone) = (text[..space], text[(space + 1)..]);
        var at = DateTime.Parse(local, CultureInfo.InvariantCulture);
        if (zone.StartsWith('+') || zone.StartsWith('-'))
        {
            return new DateTimeOffset(at, TimeSpan.Parse(zone.TrimStart('+'), CultureInfo.InvariantCulture) * (zone[0] == '-' ? -1 : 1));
        }

        var timeZone = TimeZoneInfo.FindSystemTimeZoneById(zone);
        return new DateTimeOffset(at, timeZone.GetUtcOffset(at));
    }
}

public sealed record TrinoColumn([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("type")] string Type);

public sealed record TrinoError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("errorName")] string? ErrorName,
    [property: JsonPropertyName("errorType")] string? ErrorType);

public sealed record TrinoPage(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("nextUri")] Uri? NextUri,
    [property: JsonPropertyName("columns")] IReadOnlyList<TrinoColumn>? Columns,
    [property: JsonPropertyName("data")] IReadOnlyList<IReadOnlyList<JsonElement>>? Data,
    [property: JsonPropertyName("error")] TrinoError? Error);

[JsonSerializable(typeof(TrinoPage))]
internal sealed partial class TrinoJsonContext : JsonSerializerContext;
