using System.Globalization;
using GamePipeline.Contracts;
using GamePipeline.Sql;

namespace AnalyticsApi.Queries;

/// <summary>
/// The seed's Presto questions and the ones an analyst asks next, as SQL that DuckDB and Trino both accept.
/// Values are bound parameters; a table name is used only after it was found in the catalog, and quoted.
/// </summary>
public sealed class AnalyticsQueries(ISqlEngine engine, TimeProvider clock)
{
    /// <summary>How long the catalog's table list and columns are reused (the data never is).</summary>
    public static readonly TimeSpan CatalogCacheDuration = TimeSpan.FromSeconds(5);

    private static readonly string[] EventTables = [.. LakeTables.All.Where(t => t.EventType is not null).Select(t => t.Name)];
    private CatalogSnapshot? _catalog;

    private sealed record CatalogSnapshot(IReadOnlyList<TableInfo> Tables, IReadOnlyDictionary<string, IReadOnlyList<ColumnInfo>> Columns, DateTimeOffset ReadAt);

    public string EngineDescription => engine.Description;

    /// <summary><c>show tables</c>.</summary>
    public async Task<IReadOnlyList<TableInfo>> TablesAsync(CancellationToken cancellationToken) => (await CatalogAsync(cancellationToken)).Tables;

    /// <summary>The catalog's own name for <paramref name="table"/>, or null when it has no such table.</summary>
    public async Task<string?> FindTableAsync(string table, CancellationToken cancellationToken) =>
        (await TablesAsync(cancellationToken)).FirstOrDefault(t => t.Name == table)?.Name;

    /// <summary><c>describe</c>.</summary>
    public async Task<IReadOnlyList<ColumnInfo>> ColumnsAsync(string table, CancellationToken cancellationToken) =>
        (await CatalogAsync(cancellationToken)).Columns.GetValueOrDefault(table) ?? [];

    /// <summary>The catalog's tables and columns, read in one query and reused for <see cref="CatalogCacheDuration"/>.</summary>
    private async Task<CatalogSnapshot> CatalogAsync(CancellationToken cancellationToken)
    {
        if (_catalog is { } cached && clock.GetUtcNow() - cached.ReadAt < CatalogCacheDuration)
        {
            return cached;
        }

        var result = await engine.QueryAsync(
            """
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = ?
            ORDER BY c.table_name, c.ordinal_position
            """, [engine.Schema], cancellationToken);
        var columns = result.Rows
            .GroupBy(r => (string)r[0]!)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ColumnInfo>)[.. g.Select(r => new ColumnInfo((string)r[1]!, (string)r[2]!))]);
        var tables = columns.Keys.Order(StringComparer.Ordinal).Select(name => new TableInfo(name, LakeTables.Find(name)?.Description)).ToList();
        return _catalog = new CatalogSnapshot(tables, columns, clock.GetUtcNow());
    }

    /// <summary><c>SELECT COUNT(*)</c>, of the current version or of <paramref name="version"/>.</summary>
    public async Task<TableCount> CountAsync(string table, long? version, CancellationToken cancellationToken)
    {
        var result = await engine.QueryAsync($"SELECT COUNT(*) FROM {await engine.TableAtAsync(table, version, cancellationToken)}", [], cancellationToken);
        return new TableCount(table, Long(result.Rows[0][0]));
    }

    /// <summary><c>SELECT host, COUNT(*) … GROUP BY host</c>, most requests first.</summary>
    public async Task<IReadOnlyList<HostCount>> HostsAsync(string table, long? version, CancellationToken cancellationToken)
    {
        var result = await engine.QueryAsync(
            $"SELECT host, COUNT(*) AS requests FROM {await engine.TableAtAsync(table, version, cancellationToken)} GROUP BY host ORDER BY requests DESC, host", [], cancellationToken);
        return [.. result.Rows.Select(r => new HostCount((string?)r[0], Long(r[1])))];
    }

    public async Task<IReadOnlyList<MinuteCount>> EventsPerMinuteAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var result = await engine.QueryAsync(
            $"""
            SELECT date_trunc('minute', event_time) AS minute, event_type, COUNT(*) AS events
            FROM ({AllEvents("event_time", "event_type")}) AS e
            WHERE event_time >= CAST(? AS TIMESTAMP WITH TIME ZONE)
            GROUP BY 1, 2 ORDER BY 1, 2
            """,
            [since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture)], cancellationToken);
        return [.. result.Rows.Select(r => new MinuteCount(Timestamp(r[0]), (string)r[1]!, Long(r[2])))];
    }

    public async Task<IReadOnlyList<TopUser>> TopUsersAsync(int limit, CancellationToken cancellationToken)
    {
        var result = await engine.QueryAsync(
            $"""
            SELECT user_id, COUNT(*) AS events,
                   CAST(SUM(CASE WHEN event_type = ? THEN 1 ELSE 0 END) AS BIGINT) AS swords,
                   CAST(SUM(CASE WHEN event_type = ? THEN 1 ELSE 0 END) AS BIGINT) AS guilds
            FROM ({AllEvents("user_id", "event_type")}) AS e
            GROUP BY user_id ORDER BY events DESC, user_id {Limit(limit)}
            """,
            [GameEventTypes.PurchaseSword, GameEventTypes.JoinGuild], cancellationToken);
        return [.. result.Rows.Select(r => new TopUser((string)r[0]!, Long(r[1]), Long(r[2]), Long(r[3])))];
    }

    public async Task<IReadOnlyList<UserAgentCount>> UserAgentsAsync(int limit, CancellationToken cancellationToken)
    {
        var result = await engine.QueryAsync(
            $"SELECT user_agent, COUNT(*) AS events FROM ({AllEvents("user_agent")}) AS e GROUP BY user_agent ORDER BY events DESC, user_agent {Limit(limit)}",
            [], cancellationToken);
        return [.. result.Rows.Select(r => new UserAgentCount((string?)r[0], Long(r[1])))];
    }

    /// <summary>Of the users who joined a guild, how many bought a sword afterwards.</summary>
    public async Task<GuildToSwordFunnel> GuildToSwordFunnelAsync(CancellationToken cancellationToken)
    {
        var result = await engine.QueryAsync(
            """
            WITH joined AS (SELECT user_id, MIN(event_time) AS joined_at FROM join_guilds GROUP BY user_id),
                 bought AS (SELECT DISTINCT j.user_id FROM joined j JOIN sword_purchases s ON s.user_id = j.user_id AND s.event_time >= j.joined_at)
            SELECT (SELECT COUNT(*) FROM joined), (SELECT COUNT(*) FROM bought)
            """, [], cancellationToken);
        var joined = Long(result.Rows[0][0]);
        var bought = Long(result.Rows[0][1]);
        return new GuildToSwordFunnel(joined, bought, joined == 0 ? 0 : Math.Round((double)bought / joined, 4));
    }

    /// <summary>Per event table, the events written with an idempotency key and the duplicates of them the writers left out.</summary>
    public async Task<IReadOnlyList<DuplicateCount>> DuplicatesAsync(CancellationToken cancellationToken)
    {
        var result = await engine.QueryAsync(
            $"""
            SELECT event_type, CAST(SUM(keyed) AS BIGINT) AS keyed, CAST(SUM(duplicates) AS BIGINT) AS duplicates FROM (
                SELECT event_type, 1 AS keyed, 0 AS duplicates FROM {SqlIdentifiers.Quote(LakeTables.IdempotencyKeys.Name)}
                UNION ALL SELECT event_type, 0, 1 FROM {SqlIdentifiers.Quote(LakeTables.DuplicateEvents.Name)}) AS k
            GROUP BY event_type
            """, [], cancellationToken);
        var byType = result.Rows.ToDictionary(r => (string)r[0]!, r => (Keyed: Long(r[1]), Duplicates: Long(r[2])));
        return [.. LakeTables.All.Where(t => t.EventType is not null).Select(t =>
            byType.TryGetValue(t.EventType!, out var counts) ? new DuplicateCount(t.Name, counts.Keyed, counts.Duplicates) : new DuplicateCount(t.Name, 0, 0))];
    }

    private static string AllEvents(params string[] columns) =>
        string.Join(" UNION ALL ", EventTables.Select(t => $"SELECT {string.Join(", ", columns)} FROM {SqlIdentifiers.Quote(t)}"));

    /// <summary>A LIMIT clause, inlined: it is an int (nothing to inject), and engines that accept parameters only in expressions take it.</summary>
    private static string Limit(int limit) => string.Create(CultureInfo.InvariantCulture, $"LIMIT {Math.Max(0, limit)}");

    private static long Long(object? value) => Convert.ToInt64(value ?? 0L, CultureInfo.InvariantCulture);

    /// <summary>A timestamp as either engine returns it, in UTC.</summary>
    internal static DateTimeOffset Timestamp(object? value) => value switch
    {
        DateTimeOffset offset => offset.ToUniversalTime(),
        DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"Not a timestamp: {value}"),
    };
}
