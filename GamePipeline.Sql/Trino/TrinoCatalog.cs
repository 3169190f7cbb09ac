using GamePipeline.Contracts;

namespace GamePipeline.Sql.Trino;

/// <summary>
/// Registers the lake's Delta tables through Trino's <c>delta_lake</c> connector: each table's location (the folder
/// that holds its <c>_delta_log/</c>) is registered in the metastore with <c>system.register_table</c>, and Trino
/// reads the schema, partitions and files of every query's snapshot from the log — no partition repair, no
/// folder listing. Idempotent: a table Trino already knows is left as it is.
/// </summary>
public sealed class TrinoCatalog(TrinoSqlEngine engine, string lakeLocation) : ICatalog
{
    public string Description => $"{engine.Description}, Delta tables in {lakeLocation}";

    public async Task RegisterAsync(LakeTable table, CancellationToken cancellationToken)
    {
        var known = await engine.QueryAsync(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [engine.Schema, table.Name], cancellationToken);
        if (known.Rows.Count == 0)
        {
            await engine.QueryAsync(RegisterTableSql(engine.Schema, table, lakeLocation), [], cancellationToken);
        }
    }

    /// <summary>The call that registers the table at <c>{lake location}/{table}</c> in the session's catalog.</summary>
    public static string RegisterTableSql(string schema, LakeTable table, string lakeLocation) =>
        $"CALL system.register_table(schema_name => {SqlText.Quote(schema)}, table_name => {SqlText.Quote(table.Name)}, " +
        $"table_location => {SqlText.Quote(lakeLocation.TrimEnd('/') + "/" + table.Name)})";
}
