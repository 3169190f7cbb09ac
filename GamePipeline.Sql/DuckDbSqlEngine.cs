using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using DuckDB.NET.Data;

namespace GamePipeline.Sql;

/// <summary>
/// DuckDB over the lake's Delta tables, as the catalog file CatalogSetup wrote lists them. The catalog is attached
/// read-only, once, to an in-process database, which holds a view per table over its current snapshot's files
/// (<see cref="DeltaTableViews"/>, brought up to date before each query); queries borrow connections to it from a
/// small pool, so they run concurrently without reopening the file or setting up a connection each time.
/// </summary>
public sealed class DuckDbSqlEngine(string catalogPath) : ISqlEngine, IDisposable
{
    private const string CatalogAlias = "catalog";
    private const string Database = "memory";
    private static readonly int PoolSize = Environment.ProcessorCount * 2;
    private readonly ConcurrentBag<DuckDBConnection> _pool = [];
    private readonly DeltaTableViews _views = new(Database);

    private readonly Lazy<DuckDBConnection> _database = new(() =>
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var attach = connection.CreateCommand();
        // Delta data files never change once written: their Parquet footers are read once and kept, so a query over a
        // table of many files does not parse each footer again (bench/lake measures what the layout costs).
        attach.CommandText = $"ATTACH {SqlText.Quote(catalogPath)} AS {CatalogAlias} (READ_ONLY); SET parquet_metadata_cache = true";
        attach.ExecuteNonQuery();
        return connection;
    });

    private static readonly Lazy<string> DuckDbVersion = new(() =>
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        return connection.ServerVersion;
    });

    public string Description => $"DuckDB {DuckDbVersion.Value} (catalog {catalogPath})";

    public string Schema => "main";

    public async Task<SqlResult> QueryAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken cancellationToken)
    {
        var connection = Rent();
        try
        {
            await _views.RefreshAsync(connection, () => Registry(connection), cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new DuckDBParameter(parameter ?? DBNull.Value));
            }

            // DuckDB runs the query on this thread; interrupt it when the caller gives up (the HTTP request is aborted).
            await using var cancel = cancellationToken.Register(command.Cancel);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await ReadAsync(reader, cancellationToken);
        }
        finally
        {
            Return(connection);
        }
    }

    /// <summary>At a version: the files of that snapshot, read like the table's view reads the current one.</summary>
    public async Task<string> TableAtAsync(string table, long? version, CancellationToken cancellationToken)
    {
        if (version is null)
        {
            return SqlIdentifiers.Quote(table);
        }

        var connection = Rent();
        try
        {
            await _views.RefreshAsync(connection, () => Registry(connection), cancellationToken);
        }
        finally
        {
            Return(connection);
        }

        return await _views.SelectAtAsync(table, version.Value, cancellationToken);
    }

    private DuckDBConnection Rent()
    {
        if (_pool.TryTake(out var pooled))
        {
            return pooled;
        }

        var connection = _database.Value.Duplicate();
        if (connection.State != ConnectionState.Open)
        {
            connection.Open();
        }

        // The lake's views first, then anything the catalog file holds itself.
        using var searchPath = connection.CreateCommand();
        searchPath.CommandText = $"SET search_path = '{Database}.main,{CatalogAlias}.main'";
        searchPath.ExecuteNonQuery();
        return connection;
    }

    /// <summary>The tables CatalogSetup registered: name, lake directory, description (none in a catalog it did not write).</summary>
    private static List<(string Name, string Lake, string? Description)> Registry(DuckDBConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = $"SELECT COUNT(*) FROM duckdb_tables() WHERE database_name = '{CatalogAlias}' AND schema_name = '{DuckDbCatalog.RegistrySchema}' AND table_name = '{DuckDbCatalog.RegistryTable}'";
        if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return [];
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name, lake, description FROM {CatalogAlias}.{DuckDbCatalog.RegistrySchema}.{DuckDbCatalog.RegistryTable} ORDER BY name";
        using var reader = command.ExecuteReader();
        var tables = new List<(string, string, string?)>();
        while (reader.Read())
        {
            tables.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return tables;
    }

    private void Return(DuckDBConnection connection)
    {
        if (_pool.Count < PoolSize)
        {
            _pool.Add(connection);
        }
        else
        {
            connection.Dispose();
        }
    }

    public void Dispose()
    {
        while (_pool.TryTake(out var connection))
        {
            connection.Dispose();
        }

        if (_database.IsValueCreated)
        {
            _database.Value.Dispose();
        }
    }

    internal static async Task<SqlResult> ReadAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[columns.Length];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return new SqlResult(columns, rows);
    }
}
