using DuckDB.NET.Data;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Sql;

/// <summary>
/// One DuckDB view per registered Delta table over exactly the files of its current snapshot. Before a query the
/// snapshots are refreshed (reading only commits newer than the one held: one file probe per table when nothing
/// changed), and a view is replaced only when its table has a new version. A query binds the view as it is when it
/// starts, so its answer is one version of each table, however many commits land meanwhile.
/// </summary>
internal sealed class DeltaTableViews(string database)
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly Dictionary<string, View> _views = new(StringComparer.Ordinal);

    private sealed class View(string name, string lake, string? description)
    {
        public string Name { get; } = name;

        public string? Description { get; } = description;

        public string TableRoot { get; } = Path.Combine(lake, name);

        public DeltaLog Log { get; } = new(new LocalLakeStorage(lake), name);

        public DeltaSnapshot? Snapshot { get; set; }
    }

    /// <summary>Brings every view up to its table's latest version (registering tables the catalog lists the first time).</summary>
    public async Task RefreshAsync(DuckDBConnection connection, Func<IReadOnlyList<(string Name, string Lake, string? Description)>> registry, CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            if (_views.Count == 0)
            {
                foreach (var (name, lake, description) in registry())
                {
                    _views[name] = new View(name, lake, description);
                }
            }

            foreach (var view in _views.Values)
            {
                var latest = view.Snapshot is null
                    ? await view.Log.ReadAsync(cancellationToken: cancellationToken)
                    : await view.Log.RefreshAsync(view.Snapshot, cancellationToken);
                if (latest.Version != view.Snapshot?.Version)
                {
                    Execute(connection, $"CREATE OR REPLACE VIEW {database}.main.{SqlIdentifiers.Quote(view.Name)} AS {DeltaSnapshotSql.Select(view.TableRoot, latest)}");
                    if (view.Description is { } description)
                    {
                        Execute(connection, $"COMMENT ON VIEW {database}.main.{SqlIdentifiers.Quote(view.Name)} IS {SqlText.Quote(description)}");
                    }

                    view.Snapshot = latest;
                }
            }
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>A subquery over the files of a registered table's snapshot at <paramref name="version"/>.</summary>
    public async Task<string> SelectAtAsync(string table, long version, CancellationToken cancellationToken)
    {
        var view = _views.GetValueOrDefault(table) ?? throw new DeltaTableException(DeltaReadFailure.NotATable, $"{table} is not a registered lake table");
        return $"({DeltaSnapshotSql.Select(view.TableRoot, await view.Log.ReadAsync(version, cancellationToken))})";
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
