using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using AnalyticsApi.Queries;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using GamePipeline.Sql;
using Microsoft.Extensions.Options;

namespace AnalyticsApi.Erasure;

/// <summary>Section <c>Erasure</c>.</summary>
public sealed class ErasureOptions
{
    public const string Section = "Erasure";

    /// <summary>
    /// How long after a request the files are rewritten: longer than the writers take to read the suppression list
    /// (<c>StreamWriter:ErasureRefreshInterval</c>, 5 s) and to commit what they parsed before it (a flush, 1 s), so
    /// no writer still writes the user's rows when the rewrite starts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Rewrites of a table lost to a concurrent rewrite (compaction) before the erasure gives up and reports failed.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 20;
}

/// <summary>What an erasure request has come to.</summary>
public sealed record ErasureStatus(string ErasureId, string State, DateTimeOffset RequestedAt, DateTimeOffset? FinishedAt, long RowsRemoved, long FilesRewritten, string? Detail);

/// <summary>
/// A player's right to be forgotten. A request first adds the user to the suppression list — table <c>erasures</c>,
/// by the SHA-256 of the user id, which writers read before they write — so events of the user still in Kafka or
/// arriving later never reach the lake. After <see cref="ErasureOptions.SettleTime"/> every table's files that hold
/// the user's rows are rewritten without them, one Delta commit per table (<c>remove</c> + <c>add</c>,
/// <c>dataChange=true</c>, operation DELETE), until a pass finds none; then the outcome is recorded. The old files stay
/// for time travel until vacuum deletes them after its retention. Requests run one at a time, in the background.
/// </summary>
public sealed class Erasures(ILakeStorage storage, ISqlEngine engine, IOptions<ErasureOptions> options, TimeProvider clock, ILogger<Erasures> logger) : BackgroundService
{
    public const string Requested = "requested";
    public const string Completed = "completed";
    public const string Failed = "failed";

    private readonly Channel<Request> _queue = Channel.CreateUnbounded<Request>();
    private readonly ParquetRewriter _rewriter = new(storage);
    private readonly DeltaCommitter _audit = new(storage, LakeTables.Erasures.Name, LakeDeltaTables.Definition(LakeTables.Erasures));

    private sealed record Request(string ErasureId, string UserId, string UserHash, string RequestedBy, DateTimeOffset RequestedAt);

    /// <summary>How the lake names a user in <c>erasures</c>: never the id itself.</summary>
    public static string UserHash(string userId) => Sha256Text.Of(userId);

    /// <summary>Records the request (the user is suppressed from then on) and queues the rewrite.</summary>
    public async Task<ErasureStatus> RequestAsync(string userId, string requestedBy, CancellationToken cancellationToken)
    {
        var request = new Request(Guid.NewGuid().ToString(), userId, UserHash(userId), requestedBy, clock.GetUtcNow());
        await RecordAsync(request, Requested, request.RequestedAt, 0, 0, null, cancellationToken);
        AnalyticsApiLog.ErasureRequested(logger, request.ErasureId, requestedBy);
        await _queue.Writer.WriteAsync(request, cancellationToken);
        return new ErasureStatus(request.ErasureId, Requested, request.RequestedAt, null, 0, 0, null);
    }

    /// <summary>The latest erasure of the user, as <c>erasures</c> records it; null when there is none.</summary>
    public async Task<ErasureStatus?> StatusAsync(string userId, CancellationToken cancellationToken)
    {
        var result = await engine.QueryAsync(
            $"SELECT erasure_id, state, recorded_at, rows_removed, files_rewritten, detail FROM {SqlIdentifiers.Quote(LakeTables.Erasures.Name)} WHERE user_hash = ? ORDER BY recorded_at, state DESC",
            [UserHash(userId)], cancellationToken);
        if (result.Rows.Count == 0)
        {
            return null;
        }

        var latest = (string)result.Rows[^1][0]!;
        var rows = result.Rows.Where(r => (string)r[0]! == latest).ToList();
        var last = rows[^1];
        var state = (string)last[1]!;
        return new ErasureStatus(
            latest,
            state,
            AnalyticsQueries.Timestamp(rows[0][2]),
            state == Requested ? null : AnalyticsQueries.Timestamp(last[2]),
            Convert.ToInt64(last[3], CultureInfo.InvariantCulture),
            Convert.ToInt64(last[4], CultureInfo.InvariantCulture),
            (string?)last[5]);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var request in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            var wait = request.RequestedAt + options.Value.SettleTime - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, stoppingToken);
            }

            try
            {
                var (rows, files, detail) = await EraseAsync(request.UserId, stoppingToken);
                await RecordAsync(request, Completed, clock.GetUtcNow(), rows, files, detail, stoppingToken);
                AnalyticsApiLog.ErasureCompleted(logger, request.ErasureId, rows, files);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AnalyticsApiLog.ErasureFailed(logger, e, request.ErasureId);
                await RecordAsync(request, Failed, clock.GetUtcNow(), 0, 0, e.Message, stoppingToken);
            }
        }
    }

    /// <summary>Passes over every table until one removes nothing: rows committed by a writer that had not yet read the list are caught too.</summary>
    private async Task<(long Rows, long Files, string Detail)> EraseAsync(string userId, CancellationToken cancellationToken)
    {
        var removedByTable = new Dictionary<string, (long Rows, long Files)>();
        while (true)
        {
            long removedThisPass = 0;
            foreach (var table in LakeTables.Streamed)
            {
                var (rows, files) = await EraseFromAsync(table, userId, cancellationToken);
                var (total, totalFiles) = removedByTable.GetValueOrDefault(table.Name);
                removedByTable[table.Name] = (total + rows, totalFiles + files);
                removedThisPass += rows;
            }

            if (removedThisPass == 0)
            {
                break;
            }
        }

        var detail = JsonSerializer.Serialize(removedByTable.Where(t => t.Value.Rows > 0).ToDictionary(t => t.Key, t => new { rows = t.Value.Rows, files = t.Value.Files }));
        return (removedByTable.Values.Sum(t => t.Rows), removedByTable.Values.Sum(t => t.Files), detail);
    }

    /// <summary>The user's rows of one table: the files that can hold them (by their statistics) rewritten without them, in one commit.</summary>
    private async Task<(long Rows, long Files)> EraseFromAsync(LakeTable table, string userId, CancellationToken cancellationToken)
    {
        var column = table == LakeTables.BadEvents ? "kafka_key" : "user_id";
        var predicate = $"{SqlIdentifiers.Quote(column)} = {SqlText.Quote(userId)}";
        var committer = new DeltaCommitter(storage, table.Name, LakeDeltaTables.Definition(table));
        for (var attempt = 1; ; attempt++)
        {
            var snapshot = await committer.RefreshAsync(cancellationToken);
            if (snapshot is null)
            {
                return (0, 0);
            }

            var removed = new List<DeltaFile>();
            var added = new List<AddAction>();
            long rows = 0;
            foreach (var file in snapshot.Files.Where(f => MayHold(f, column, userId)))
            {
                var (kept, removedRows) = await _rewriter.RewriteWithoutAsync(table, file, predicate, cancellationToken);
                if (removedRows > 0)
                {
                    removed.Add(file);
                    rows += removedRows;
                    if (kept is not null)
                    {
                        added.Add(kept.Add);
                    }
                }
            }

            if (removed.Count == 0)
            {
                return (0, 0);
            }

            try
            {
                await committer.ReplaceAsync(removed, added, "DELETE", cancellationToken,
                    new Dictionary<string, string> { ["predicate"] = $"{column} = <erased user>" }, dataChange: true);
                return (rows, removed.Count);
            }
            catch (DeltaFilesConflictException) when (attempt < options.Value.MaxAttempts)
            {
                // A compaction rewrote some of those files meanwhile: ours are in no version; plan again on the new snapshot.
                foreach (var file in added)
                {
                    await storage.DeleteAsync($"{table.Name}/{Uri.UnescapeDataString(file.Path!)}", cancellationToken);
                }
            }
        }
    }

    /// <summary>Whether a file's statistics leave room for the user's rows (files without them always do).</summary>
    private static bool MayHold(DeltaFile file, string column, string userId)
    {
        if (file.Stats is not { Length: > 0 } stats)
        {
            return true;
        }

        using var json = JsonDocument.Parse(stats);
        var root = json.RootElement;
        if (root.TryGetProperty("numRecords", out var records) && records.TryGetInt64(out var count) && count == 0)
        {
            return false;
        }

        var below = root.TryGetProperty("minValues", out var min) && min.TryGetProperty(column, out var low) && low.ValueKind == JsonValueKind.String
            && DeltaFileStats.CompareText(userId, low.GetString()) < 0;
        var above = root.TryGetProperty("maxValues", out var max) && max.TryGetProperty(column, out var high) && high.ValueKind == JsonValueKind.String
            && DeltaFileStats.CompareText(userId, high.GetString()) > 0;
        return !below && !above;
    }

    private async Task RecordAsync(Request request, string state, DateTimeOffset at, long rows, long files, string? detail, CancellationToken cancellationToken)
    {
        var select = $"""
            SELECT {SqlText.Quote(request.ErasureId)} AS erasure_id, {SqlText.Quote(request.UserHash)} AS user_hash, {SqlText.Quote(state)} AS state,
                   CAST({SqlText.Quote(at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture))} AS TIMESTAMP WITH TIME ZONE) AS recorded_at,
                   {SqlText.Quote(request.RequestedBy)} AS requested_by, CAST({rows} AS BIGINT) AS rows_removed, CAST({files} AS BIGINT) AS files_rewritten,
                   CAST({(detail is null ? "NULL" : SqlText.Quote(detail))} AS VARCHAR) AS detail
            """;
        var file = await _rewriter.WriteAsync(LakeTables.Erasures, LakeLayout.PartitionValue(DateOnly.FromDateTime(at.UtcDateTime)), select, "audit", cancellationToken);
        await _audit.AppendAsync([file.Add], [], "WRITE", cancellationToken);
    }
}
