using System.Data.Common;
using DuckDB.NET.Data;

namespace GamePipeline.Sql;

/// <summary>
/// DuckDB over the catalog file CatalogSetup wrote (read-only: views over the lake's Parquet). Each query
/// opens its own connection to the shared, cached database instance, so queries run concurrently.
/// </summary>
public sealed class DuckDbSqlEngine(string catalogPath) : ISqlEngine
{
    private readonly string _connectionString = $"Data Source={catalogPath};ACCESS_MODE=READ_ONLY";

    public string Description => $"DuckDB {DuckDbVersion.Value} (catalog {catalogPath})";

    private static readonly Lazy<string> DuckDbVersion = new(() =>
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        return connection.ServerVersion;
    });

    public async Task<SqlResult> QueryAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken cancellationToken)
    {
        await using var connection = new DuckDBConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
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
