namespace GamePipeline.Sql;

/// <summary>A query's answer: column names and rows of CLR values (string, long, double, DateTime, …).</summary>
public sealed record SqlResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// The SQL engine the analytics run on: DuckDB in the embedded topology, Trino on a cluster. Values are always
/// bound as parameters (positional <c>?</c>); identifiers come only from the catalog's own table list.
/// </summary>
public interface ISqlEngine
{
    /// <summary>What the engine is (for the report and logs).</summary>
    string Description { get; }

    /// <summary>The schema that holds the lake's tables (DuckDB: <c>main</c>; Trino: the session schema).</summary>
    string Schema { get; }

    Task<SqlResult> QueryAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken cancellationToken);

    /// <summary>
    /// What a query's <c>FROM</c> names to read <paramref name="table"/> (a name from the catalog) as it was at Delta
    /// version <paramref name="version"/> (time travel), or as it is now when that is null.
    /// </summary>
    Task<string> TableAtAsync(string table, long? version, CancellationToken cancellationToken);
}

/// <summary>Registers the lake's tables with the catalog (CatalogSetup). Idempotent.</summary>
public interface ICatalog
{
    string Description { get; }

    Task RegisterAsync(GamePipeline.Contracts.LakeTable table, CancellationToken cancellationToken);
}

public static class SqlIdentifiers
{
    /// <summary>Quotes an identifier ("…", doubled quotes): for names taken from the catalog, never from users.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}

/// <summary>SQL text built by the engines and catalogs (DDL and Trino's EXECUTE IMMEDIATE cannot take parameters).</summary>
public static class SqlText
{
    /// <summary>A SQL string literal: single quotes, an embedded quote doubled.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
