using System.Globalization;
using System.Text;
using AnalyticsApi.Queries;
using GamePipeline.Contracts;
using static AnalyticsApi.Report.SvgCharts;

namespace AnalyticsApi.Report;

/// <summary>
/// The analytics report: the seed's findings (tables, schemas, counts, requests per host for each table) and the
/// new ones (events per minute, top users, user agents, the guild-to-sword funnel), rendered on the server with
/// SVG charts. The page reloads itself every <see cref="RefreshSeconds"/> seconds.
/// </summary>
public static class ReportPage
{
    public const int RefreshSeconds = 10;

    public static IEndpointRouteBuilder MapReport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/report", GetReport).RequireAuthorization(Auth.ReaderKeys.ReadPolicy).WithName("GetReport").WithTags("Report").WithSummary("The analytics report (HTML, refreshes itself).").Produces<string>(200, "text/html");
        return app;
    }

    /// <summary>How many of a table's newest commits are searched for its last compaction.</summary>
    public const int CompactionSearchDepth = 200;

    public static async Task<Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult> GetReport(AnalyticsQueries queries, TableVersions versions, TimeProvider clock, CancellationToken cancellationToken) =>
        TypedResults.Content(await RenderAsync(queries, versions, clock.GetUtcNow(), cancellationToken), "text/html; charset=utf-8");

    public static async Task<string> RenderAsync(AnalyticsQueries queries, TableVersions versions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tables = await queries.TablesAsync(cancellationToken);
        var counts = new List<(TableInfo Table, long Count, IReadOnlyList<ColumnInfo> Columns, TableLakeState? Lake)>();
        foreach (var table in tables)
        {
            var lake = LakeTables.Find(table.Name) is null ? null : await versions.StateAsync(table.Name, CompactionSearchDepth, cancellationToken);
            counts.Add((table, (await queries.CountAsync(table.Name, null, cancellationToken)).Count, await queries.ColumnsAsync(table.Name, cancellationToken), lake));
        }

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{RefreshSeconds}">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>GamePipeline analytics report</title>
            <style>{Style}</style></head><body>
            <header><h1>GamePipeline analytics</h1>
            <p class="meta">Generated <time id="generated" datetime="{now:O}">{now:yyyy-MM-dd HH:mm:ss} UTC</time> by {Text(queries.EngineDescription)} · refreshes every {RefreshSeconds} s</p></header>
            <main>
            """);

        html.Append("""<section id="tables"><h2>Tables</h2><p>The seed's <code>show tables</code> and <code>SELECT COUNT(*)</code>: rows per table, growing as events arrive; each table's Delta version, its live data files and when LakeMaintenance last compacted it.</p><div class="pair">""");
        html.Append(Bars("Rows per table", [.. counts.Select(c => (c.Table.Name, (double)c.Count))]));
        html.Append("<table><thead><tr><th>table</th><th>rows</th><th>version</th><th>live files</th><th>last compaction</th><th>what it holds</th></tr></thead><tbody>");
        foreach (var (table, count, _, lake) in counts)
        {
            var compaction = lake?.LastCompaction is { } at ? $"{at:yyyy-MM-dd HH:mm:ss} UTC" : lake is null ? "" : $"none in the last {CompactionSearchDepth} commits";
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{Text(table.Name)}</td><td class="num" data-count="{Text(table.Name)}">{count:N0}</td><td class="num">{lake?.Version}</td>
                <td class="num" data-live-files="{Text(table.Name)}">{lake?.LiveFiles:N0}</td><td data-last-compaction="{Text(table.Name)}">{compaction}</td><td>{Text(table.Description)}</td></tr>
                """);
        }

        html.Append("</tbody></table></div></section>");

        html.Append("""<section id="hosts"><h2>Requests per host</h2><p>The seed's <code>SELECT host, COUNT(*) … GROUP BY host</code>, for each table.</p><div class="grid">""");
        foreach (var (table, _, columns, _) in counts.Where(c => c.Columns.Any(col => col.Name == "host")))
        {
            var hosts = await queries.HostsAsync(table.Name, null, cancellationToken);
            html.Append(CultureInfo.InvariantCulture, $"""<div class="card" data-hosts="{Text(table.Name)}"><h3>{Text(table.Name)}</h3>""");
            html.Append(Bars($"Requests per host in {table.Name}", [.. hosts.Take(12).Select(h => (h.Host ?? "(none)", (double)h.Count))], 520));
            html.Append("</div>");
        }

        html.Append("</div></section>");

        var perMinute = await queries.EventsPerMinuteAsync(now.AddMinutes(-60), cancellationToken);
        var series = perMinute.GroupBy(m => m.EventType).ToDictionary(
            g => g.Key, g => (IReadOnlyList<(DateTimeOffset, long)>)[.. g.Select(m => (m.Minute, m.Count))]);
        html.Append("""<section id="per-minute"><h2>Events per minute, last hour</h2>""");
        html.Append(Lines("Events per minute by type", series, now.AddMinutes(-60), now, 1000, 260));
        html.Append("</section>");

        var users = await queries.TopUsersAsync(10, cancellationToken);
        var agents = await queries.UserAgentsAsync(8, cancellationToken);
        var funnel = await queries.GuildToSwordFunnelAsync(cancellationToken);
        html.Append("""<section id="users"><h2>Players</h2><div class="grid"><div class="card"><h3>Most active users</h3>""");
        html.Append(Bars("Events per user", [.. users.Select(u => (u.UserId, (double)u.Events))], 520));
        html.Append("""</div><div class="card"><h3>User agents</h3>""");
        html.Append(Bars("Events per user agent", [.. agents.Select(a => (a.UserAgent ?? "(none)", (double)a.Count))], 520));
        html.Append(CultureInfo.InvariantCulture, $"""</div><div class="card" id="funnel"><h3>Guild → sword funnel</h3><p>Of <b>{funnel.JoinedGuild:N0}</b> users who joined a guild, <b>{funnel.BoughtSwordAfterJoining:N0}</b> bought a sword afterwards (<b>{funnel.Conversion:P1}</b>).</p>""");
        html.Append(Bars("Guild to sword funnel", [("joined a guild", funnel.JoinedGuild), ("then bought a sword", funnel.BoughtSwordAfterJoining)], 520));
        html.Append("</div></div></section>");

        var duplicates = await queries.DuplicatesAsync(cancellationToken);
        html.Append(CultureInfo.InvariantCulture, $"""
            <section id="duplicates"><h2>Retries written once</h2><p>Events sent with an idempotency key (a batch event's <code>event_id</code>, an <code>Idempotency-Key</code> header) are written once per user and key within the writers' window; the retries left out are kept in <code>duplicate_events</code>: <b data-duplicates-total>{duplicates.Sum(d => d.Duplicates):N0}</b> so far.</p><div class="pair">
            """);
        html.Append(Bars("Duplicates left out per table", [.. duplicates.Select(d => (d.Table, (double)d.Duplicates))]));
        html.Append("<table><thead><tr><th>table</th><th>events with a key</th><th>duplicates left out</th></tr></thead><tbody>");
        foreach (var count in duplicates)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{Text(count.Table)}</td><td class="num">{count.KeyedEvents:N0}</td><td class="num" data-duplicates="{Text(count.Table)}">{count.Duplicates:N0}</td></tr>""");
        }

        html.Append("</tbody></table></div></section>");

        html.Append("""<section id="schemas"><h2>Schemas</h2><p>The seed's <code>describe</code>: typed, snake_case columns; <code>dt</code> is the date partition.</p><div class="grid">""");
        foreach (var (table, _, columns, _) in counts)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<details class="card"><summary>{Text(table.Name)} ({columns.Count} columns)</summary><table><tbody>""");
            foreach (var column in columns)
            {
                var description = LakeTables.Find(table.Name)?.Columns.FirstOrDefault(c => c.Name == column.Name)?.Description;
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{Text(column.Name)}</code></td><td>{Text(column.Type)}</td><td>{Text(description ?? "")}</td></tr>");
            }

            html.Append("</tbody></table></details>");
        }

        html.Append("</div></section></main></body></html>");
        return html.ToString();
    }

    private const string Style = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
        header{background:#1d2330;color:#fff;padding:16px 28px}header h1{margin:0;font-size:22px}.meta{margin:4px 0 0;color:#b9c0cc;font-size:13px}
        main{padding:8px 28px 40px}section{margin-top:22px}h2{font-size:18px;margin:0 0 6px}h3{font-size:15px;margin:0 0 8px}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px}.pair{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
        .card{background:#fff;border:1px solid #e2e5ea;border-radius:8px;padding:12px 14px}
        table{border-collapse:collapse;font-size:13px;background:#fff}td,th{border-bottom:1px solid #e2e5ea;padding:4px 10px;text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}
        svg.chart{background:#fff;border:1px solid #e2e5ea;border-radius:8px;max-width:100%;height:auto}svg text{font-size:12px;fill:#1d2330}svg text.legend{font-weight:600}
        svg .axis{stroke:#9aa3b2}svg text.empty{fill:#8a93a3}summary{cursor:pointer;font-weight:600}
        """;
}
