using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using GamePipeline.Sql;

namespace GamePipeline.Tests.Delta;

/// <summary>DuckDB reads a Delta snapshot through <see cref="DeltaSnapshotSql"/>: exactly its files, its schema, its partition values.</summary>
public sealed class DeltaSnapshotSqlTests
{
    private static readonly string Golden = Path.Combine(Repository.Root, "testdata", "delta", "golden-tables");

    [Theory]
    [InlineData("snapshot-data2-deleted", 20)]
    [InlineData("snapshot-repartitioned", 20)]
    [InlineData("basic-with-inserts-deletes-checkpoint", 41)]
    [InlineData("multi-part-checkpoint", 31)]
    public void A_snapshot_reads_only_its_live_files_though_removed_ones_are_still_in_the_folder(string table, long rows)
    {
        using var lake = new LakeQuery(Golden);

        Assert.Equal(rows, lake.Count(table));
    }

    [Fact]
    public void Partition_columns_take_their_typed_values_from_the_log_with_nulls_kept()
    {
        using var lake = new LakeQuery(Golden);

        var rows = lake.Rows($"SELECT as_int, as_date, as_string, typeof(as_long), typeof(as_date), typeof(as_timestamp) FROM {lake.Source("data-reader-partition-values")} ORDER BY as_int NULLS LAST");

        Assert.Equal(3, rows.Count);
        Assert.Equal([0, 1, null], rows.Select(r => r[0]));
        Assert.Equal(new DateOnly(2021, 9, 8), rows[0][1]);
        Assert.Null(rows[2][1]);
        Assert.Equal(("BIGINT", "DATE", "TIMESTAMP WITH TIME ZONE"), ((string)rows[0][3]!, (string)rows[0][4]!, (string)rows[0][5]!));
    }

    [Fact]
    public async Task A_new_table_reads_as_no_rows_of_its_columns_and_types()
    {
        var root = Directory.CreateTempSubdirectory("delta-snapshot-sql-");
        try
        {
            var table = LakeTables.SwordPurchases;
            var snapshot = await new DeltaCommitter(new LocalLakeStorage(root.FullName), table.Name, LakeDeltaTables.Definition(table)).EnsureCreatedAsync(CancellationToken.None);
            using var lake = new LakeQuery(root.FullName);

            var described = lake.Rows($"DESCRIBE {lake.Source(table.Name)}");

            Assert.Equal([.. table.Columns.Select(c => c.Name), LakeTables.PartitionColumn], described.Select(r => (string)r[0]!));
            Assert.Equal("DATE", described[^1][1]);
            Assert.Equal("TIMESTAMP WITH TIME ZONE", described[table.Columns.ToList().FindIndex(c => c.Name == "event_time")][1]);
            Assert.Equal(0, lake.Scalar<long>($"SELECT COUNT(*) FROM {lake.Source(table.Name)}"));
            Assert.Equal(0, snapshot.Version);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
