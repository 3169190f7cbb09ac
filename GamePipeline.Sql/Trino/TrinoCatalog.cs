using System.Globalization;
using System.Text;
using GamePipeline.Contracts;

namespace GamePipeline.Sql.Trino;

/// <summary>
/// Registers the lake's tables through Trino's Hive connector: one external Parquet table per lake table over
/// <c>{lake location}/{table}</c>, partitioned by <c>dt</c>. The date partitions are projected (Trino computes
/// them from the folder names), so a new day's folder is queryable as soon as StreamWriter writes it — no
/// <c>sync_partition_metadata</c> or repair step. Idempotent: CREATE TABLE IF NOT EXISTS.
/// </summary>
public sealed class TrinoCatalog(TrinoSqlEngine engine, string lakeLocation) : ICatalog
{
    /// <summary>The first day partition projection considers; days without a folder cost nothing.</summary>
    public const string FirstProjectedDay = "2020-01-01";

    public string Description => $"{engine.Description}, tables over {lakeLocation}";

    public async Task RegisterAsync(LakeTable table, CancellationToken cancellationToken)
    {
        await engine.QueryAsync(CreateTableSql(table, lakeLocation), [], cancellationToken);
    }

    public static string CreateTableSql(LakeTable table, string lakeLocation)
    {
        var sql = new StringBuilder();
        sql.Append(CultureInfo.InvariantCulture, $"CREATE TABLE IF NOT EXISTS {SqlIdentifiers.Quote(table.Name)} (\n");
        foreach (var column in table.Columns)
        {
            sql.Append(CultureInfo.InvariantCulture, $"  {SqlIdentifiers.Quote(column.Name)} {TypeOf(column.Type)} COMMENT {SqlText.Quote(column.Description)},\n");
        }

        // Partition columns come last in Hive tables.
        sql.Append(CultureInfo.InvariantCulture, $"  {SqlIdentifiers.Quote(LakeTables.PartitionColumn)} varchar COMMENT {SqlText.Quote("UTC date of the event (folder dt=YYYY-MM-DD)")} WITH (\n");
        sql.Append(CultureInfo.InvariantCulture, $"    partition_projection_type = 'date', partition_projection_format = 'yyyy-MM-dd',\n");
        sql.Append(CultureInfo.InvariantCulture, $"    partition_projection_range = ARRAY['{FirstProjectedDay}', 'NOW'], partition_projection_interval = 1, partition_projection_interval_unit = 'DAYS')\n");
        sql.Append(CultureInfo.InvariantCulture, $")\nCOMMENT {SqlText.Quote(table.Description)}\n");
        sql.Append(CultureInfo.InvariantCulture, $"WITH (\n  external_location = {SqlText.Quote(lakeLocation.TrimEnd('/') + "/" + table.Name)},\n  format = 'PARQUET',\n");
        sql.Append(CultureInfo.InvariantCulture, $"  partitioned_by = ARRAY[{SqlText.Quote(LakeTables.PartitionColumn)}],\n  partition_projection_enabled = true\n)");
        return sql.ToString();
    }

    /// <summary>Hive's types for the lake's Parquet columns (timestamps are UTC milliseconds).</summary>
    public static string TypeOf(LakeColumnType type) => type switch
    {
        LakeColumnType.String => "varchar",
        LakeColumnType.Binary => "varbinary",
        LakeColumnType.Int32 => "integer",
        LakeColumnType.Int64 => "bigint",
        LakeColumnType.Timestamp => "timestamp(3)",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
