using DuckDB.NET.Data;
using GamePipeline.Contracts;

namespace GamePipeline.Sql;

/// <summary>
/// The embedded catalog: a DuckDB database file that records each lake table's name, lake directory and description
/// (<c>lake_registry.lake_tables</c>). The engine (<see cref="DuckDbSqlEngine"/>) reads it and keeps one view per
/// table over the files of the table's current Delta snapshot; the file itself holds no view, since a view's file
/// list changes with every commit.
/// </summary>
public sealed class DuckDbCatalog(string catalogPath, string lakePath) : ICatalog
{
    public const string RegistrySchema = "lake_registry";
    public const string RegistryTable = "lake_tables";

    public string Description => $"DuckDB catalog {catalogPath} over {lakePath}";

    public async Task RegisterAsync(LakeTable table, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(catalogPath))!);
        await using var connection = new DuckDBConnection($"Data Source={catalogPath}");
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {RegistrySchema}", [], cancellationToken);
        await ExecuteAsync(connection,
            $"CREATE TABLE IF NOT EXISTS {RegistrySchema}.{RegistryTable} (name VARCHAR PRIMARY KEY, lake VARCHAR NOT NULL, description VARCHAR)",
            [], cancellationToken);
        await ExecuteAsync(connection, $"INSERT OR REPLACE INTO {RegistrySchema}.{RegistryTable} VALUES (?, ?, ?)",
            [table.Name, Path.GetFullPath(lakePath), table.Description], cancellationToken);
        // A view over the table's folders, from a catalog written before the lake's tables were Delta tables.
        await ExecuteAsync(connection, $"DROP VIEW IF EXISTS main.{SqlIdentifiers.Quote(table.Name)}", [], cancellationToken);
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, object?[] parameters, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(parameter ?? DBNull.Value));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
