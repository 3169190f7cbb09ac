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
    public async Task Catalog_setup_creates_each_delta_table_on_hdfs_and_registers_it_in_trino()
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
            // Version 0 of the table (protocol, schema, partitioning) exists before Trino is asked to register it.
            Assert.Contains($"/lake/{table.Name}/_delta_log/00000000000000000000.json", _hdfs.Files);
            var call = Assert.Single(_trino.Statements, s => s.StartsWith("CALL system.register_table", StringComparison.Ordinal) && s.Contains($"'{table.Name}'", StringComparison.Ordinal));
            Assert.Equal(
                $"CALL system.register_table(schema_name => 'default', table_name => '{table.Name}', table_location => 'hdfs://namenode:8020/lake/{table.Name}')",
                call);
        }

        Assert.Equal("delta", _trino.LastHeaders["X-Trino-Catalog"]);
        Assert.Equal("UTC", _trino.LastHeaders["X-Trino-Time-Zone"]);
    }
}
