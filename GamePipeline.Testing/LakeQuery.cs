using DuckDB.NET.Data;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using GamePipeline.Sql;

namespace GamePipeline.Testing;

/// <summary>An independent reader of the lake: DuckDB over the files of each table's latest Delta snapshot.</summary>
public sealed class LakeQuery(string lakePath) : IDisposable
{
    private readonly DuckDBConnection _connection = Open();

    private static DuckDBConnection Open()
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        return connection;
    }

    /// <summary>The table's rows at its latest version (or at <paramref name="version"/>), as a DuckDB subquery.</summary>
    public string Source(string table, long? version = null) => $"({DeltaSnapshotSql.Select(Path.Combine(lakePath, table), Snapshot(table, version)!)})";

    /// <summary>The table's latest snapshot (or the one at <paramref name="version"/>), or null while it is not a Delta table yet.</summary>
    public DeltaSnapshot? Snapshot(string table, long? version = null)
    {
        try
        {
            return new DeltaLog(new LocalLakeStorage(lakePath), table).ReadAsync(version).GetAwaiter().GetResult();
        }
        catch (DeltaTableException e) when (e.Failure == DeltaReadFailure.NotATable)
        {
            return null;
        }
    }

    public bool HasFiles(string table) => Snapshot(table) is { FileCount: > 0 };

    public long Count(string table, long? version = null) =>
        Snapshot(table, version) is { FileCount: > 0 } ? Scalar<long>($"SELECT COUNT(*) FROM {Source(table, version)}") : 0;

    public long CountAllEvents() => LakeTables.All.Where(t => t.EventType is not null).Sum(t => Count(t.Name));

    public T Scalar<T>(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public List<object?[]> Rows(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Every event id in the event tables (duplicates kept).</summary>
    public List<string> EventIds() =>
        [.. LakeTables.All.Where(t => t.EventType is not null && HasFiles(t.Name))
            .SelectMany(t => Rows($"SELECT event_id FROM {Source(t.Name)}").Select(r => (string)r[0]!))];

    public void Dispose() => _connection.Dispose();
}
