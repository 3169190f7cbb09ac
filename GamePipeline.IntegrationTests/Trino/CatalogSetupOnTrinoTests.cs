using GamePipeline.Contracts;
using GamePipeline.Sql.Trino;
using GamePipeline.Tests.Lake;

namespace GamePipeline.Tests.Trino;

/// <summary>The CatalogSetup process in the containers topology's shape: lake on WebHDFS, catalog through Trino DDL.</summary>
public sealed class CatalogSetupOnTrinoTests : IAsyncLifetime
{
    private FakeTrino _trino = null!;
    private FakeWebHdfs _hdfs = null!;

    public async ValueTask InitializeAsync()
    {
        _trino = await FakeTrino.StartAsync();
        _hdfs = await FakeWebHdfs.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _trino.DisposeAsync();
        await _hdfs.DisposeAsync();
    }

    [Fact]
    public async Task Catalog_setup_creates_each_table_folder_on_hdfs_and_an_external_projected_table_in_trino()
    {
        var result = await ServiceProcess.RunToCompletionAsync("CatalogSetup", new Dictionary<string, string>
        {
            ["ConnectionStrings__catalog"] = _trino.Endpoint.ToString(),
            ["ConnectionStrings__lake"] = _hdfs.ConnectionString("/lake"),
            [ServiceSettings.EnvironmentVariable(ServiceSettings.CatalogSetupLakeLocation)] = "hdfs://namenode:8020/lake",
        }, TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        foreach (var table in LakeTables.All)
        {
            Assert.Contains($"/lake/{table.Name}", _hdfs.Directories);
            var ddl = Assert.Single(_trino.Statements, s => s.StartsWith($"CREATE TABLE IF NOT EXISTS \"{table.Name}\"", StringComparison.Ordinal));
            Assert.Equal(TrinoCatalog.CreateTableSql(table, "hdfs://namenode:8020/lake"), ddl);
            Assert.Contains($"external_location = 'hdfs://namenode:8020/lake/{table.Name}'", ddl, StringComparison.Ordinal);
        }

        Assert.Equal("hive", _trino.LastHeaders["X-Trino-Catalog"]);
    }

    [Fact]
    public void Table_ddl_declares_typed_columns_then_the_projected_date_partition()
    {
        var ddl = TrinoCatalog.CreateTableSql(LakeTables.SwordPurchases, "hdfs://namenode:8020/lake/");

        Assert.Contains("\"event_time\" timestamp(3) COMMENT", ddl, StringComparison.Ordinal);
        Assert.Contains("\"kafka_offset\" bigint COMMENT", ddl, StringComparison.Ordinal);
        Assert.Contains("\"kafka_partition\" integer COMMENT", ddl, StringComparison.Ordinal);
        Assert.True(ddl.IndexOf("\"dt\" varchar", StringComparison.Ordinal) > ddl.IndexOf("\"trace_id\"", StringComparison.Ordinal), "partition column last");
        Assert.Contains("partition_projection_type = 'date', partition_projection_format = 'yyyy-MM-dd'", ddl, StringComparison.Ordinal);
        Assert.Contains("partitioned_by = ARRAY['dt']", ddl, StringComparison.Ordinal);
        Assert.Contains("partition_projection_enabled = true", ddl, StringComparison.Ordinal);
        Assert.Contains("format = 'PARQUET'", ddl, StringComparison.Ordinal);
        Assert.Contains("external_location = 'hdfs://namenode:8020/lake/sword_purchases'", ddl, StringComparison.Ordinal);
    }
}
