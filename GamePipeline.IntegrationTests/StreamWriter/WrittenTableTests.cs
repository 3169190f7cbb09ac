using System.Text.Json;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>The Delta tables the writer makes, read back by our reader, the lake tool and DuckDB on its own.</summary>
public sealed class WrittenTableTests() : KafkaAndLake(partitions: 2)
{
    [Fact]
    public async Task A_written_table_reads_the_same_through_its_checkpoint_the_lake_tool_and_duckdb_and_every_file_carries_true_statistics()
    {
        var produced = new List<string>();
        await using (var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "written", new Dictionary<string, string?> { ["StreamWriter:CheckpointInterval"] = "2" }))
        {
            // Rounds that land one after another make one commit each, so the log passes several checkpoints.
            using var waiting = new LakeQuery(Lake);
            produced.AddRange(await TestEvents.ProduceInRoundsAsync(Kafka.BootstrapServers, 6, 30, waiting.CountAllEvents));
        }

        using var lake = new LakeQuery(Lake);
        var table = Path.Combine(Lake, "sword_purchases");
        var snapshot = lake.Snapshot("sword_purchases")!;
        Assert.Equal((1, 1), (snapshot.Protocol.MinReaderVersion, snapshot.Protocol.MinWriterVersion));
        Assert.Equal([.. LakeTables.EventColumns.Select(c => c.Name), "dt"], snapshot.Columns.Select(c => c.Name));
        Assert.Equal(["dt"], snapshot.PartitionColumns);

        // A checkpoint was written and names the version it holds; read from it, the table is the same.
        using (var last = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(table, "_delta_log", DeltaLogFiles.LastCheckpoint))))
        {
            var checkpointVersion = last.RootElement.GetProperty("version").GetInt64();
            Assert.True(checkpointVersion >= 2);
            var checkpoint = Path.Combine(table, "_delta_log", DeltaLogFiles.CheckpointName(checkpointVersion));
            var atCheckpoint = await new DeltaLog(new LocalLakeStorage(Lake), "sword_purchases").ReadAsync(checkpointVersion);
            Assert.Equal(atCheckpoint.FileCount, lake.Scalar<long>($"SELECT COUNT(*) FROM read_parquet('{checkpoint}') WHERE add IS NOT NULL"));
            Assert.Equal(atCheckpoint.Transactions.Count, lake.Scalar<long>($"SELECT COUNT(*) FROM read_parquet('{checkpoint}') WHERE txn IS NOT NULL"));
        }

        var rows = lake.Count("sword_purchases");
        var inspected = await ExternalProcess.RunAsync("bash", [Path.Combine(Repository.Root, "scripts", "lake.sh"), "inspect", table], TimeSpan.FromMinutes(2));
        Assert.True(inspected.ExitCode == 0, inspected.StandardError);
        using (var json = JsonDocument.Parse(inspected.StandardOutput))
        {
            Assert.Equal(snapshot.Version, json.RootElement.GetProperty("version").GetInt64());
            Assert.Equal(snapshot.FileCount, json.RootElement.GetProperty("files").GetInt32());
            Assert.Equal(rows, json.RootElement.GetProperty("rows").GetInt64());
        }

        Assert.All(snapshot.Files, file =>
        {
            using var stats = JsonDocument.Parse(file.Stats!);
            var path = Path.Combine(table, file.StoragePath);
            var actual = lake.Rows($"""
                SELECT COUNT(*), strftime(MIN(event_time) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'), strftime(MAX(event_time) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'),
                       MIN(user_id), MAX(user_id), MIN(host), MAX(host), MIN(kafka_offset), MAX(kafka_offset), COUNT(*) - COUNT(client_time)
                FROM read_parquet('{path}')
                """).Single();
            Assert.Equal(Convert.ToInt64(actual[0]), stats.RootElement.GetProperty("numRecords").GetInt64());
            var min = stats.RootElement.GetProperty("minValues");
            var max = stats.RootElement.GetProperty("maxValues");
            Assert.Equal(actual[1], min.GetProperty("event_time").GetString());
            Assert.Equal(actual[2], max.GetProperty("event_time").GetString());
            Assert.Equal(actual[3], min.GetProperty("user_id").GetString());
            Assert.Equal(actual[4], max.GetProperty("user_id").GetString());
            Assert.Equal(actual[5], min.GetProperty("host").GetString());
            Assert.Equal(actual[6], max.GetProperty("host").GetString());
            Assert.Equal(Convert.ToInt64(actual[7]), min.GetProperty("kafka_offset").GetInt64());
            Assert.Equal(Convert.ToInt64(actual[8]), max.GetProperty("kafka_offset").GetInt64());
            Assert.Equal(Convert.ToInt64(actual[9]), stats.RootElement.GetProperty("nullCount").GetProperty("client_time").GetInt64());
            Assert.Equal(LakeLayout.PartitionValue(DateOnly.FromDateTime(DateTime.UtcNow)), file.PartitionValues["dt"]);
        });
    }

    [Fact]
    public async Task A_lake_in_the_layout_before_delta_tables_stops_the_writer_at_start_with_an_error_saying_what_to_do()
    {
        Directory.CreateDirectory(Path.Combine(Lake, LakeLayout.LegacyCommitFolder(Topics.Events)));
        await File.WriteAllTextAsync(Path.Combine(Lake, LakeLayout.LegacyCommitFolder(Topics.Events), "e0000-0000000000000000000.json"), "{}");

        using var writer = WriterProcess.Start(Kafka.BootstrapServers, Lake, "legacy");

        Assert.NotEqual(0, await writer.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("layout before Delta tables", writer.Output);
        Assert.Contains("move the lake aside", writer.Output);
        Assert.False(Directory.Exists(Path.Combine(Lake, "sword_purchases", "_delta_log")), "the writer wrote beside the old tables");
    }
}
