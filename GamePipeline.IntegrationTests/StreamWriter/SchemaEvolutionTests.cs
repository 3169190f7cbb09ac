using System.Globalization;
using System.Text.Json;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using GamePipeline.Sql;
using LakeMaintenance;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>A lake whose tables predate a column (<c>sender</c>): the writer adds it, and old files read it as null.</summary>
public sealed class SchemaEvolutionTests() : KafkaAndLake(partitions: 2)
{
    private static readonly LakeTable Before = LakeTables.SwordPurchases with { Columns = [.. LakeTables.EventColumns.Where(c => !c.AddedLater)] };
    private static readonly DateTimeOffset Day = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A file and commit as the writer made them before the column existed.</summary>
    private async Task<string> WriteOldFileAsync(ILakeStorage storage, DateTimeOffset at)
    {
        var id = Guid.NewGuid().ToString();
        var values = Before.Columns.Select(c => c.Name switch
        {
            "event_id" => $"'{id}'",
            "event_type" => "'purchase_sword'",
            "user_id" or "host" => "'old.example'",
            "source" => "'route'",
            "headers" or "raw_event" => "'{}'",
            "kafka_partition" => "CAST(0 AS INTEGER)",
            "kafka_offset" => "CAST(0 AS BIGINT)",
            _ when c.Type == LakeColumnType.Timestamp => $"CAST('{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}+00' AS TIMESTAMP WITH TIME ZONE)",
            _ => "CAST(NULL AS VARCHAR)",
        } + $" AS {c.Name}");
        var file = await new ParquetRewriter(storage).WriteAsync(Before, LakeLayout.PartitionValue(DateOnly.FromDateTime(at.UtcDateTime)), $"SELECT {string.Join(", ", values)}", "old", CancellationToken.None);
        await new DeltaCommitter(storage, Before.Name, LakeDeltaTables.Definition(Before)).AppendAsync([file.Add], [], "WRITE", CancellationToken.None);
        return id;
    }

    [Fact]
    public async Task The_writer_adds_the_column_to_an_older_table_whose_files_read_it_as_null_before_and_after_compaction()
    {
        var storage = new LocalLakeStorage(Lake);
        var oldSameDay = await WriteOldFileAsync(storage, Day);
        string[] oldOnly = [await WriteOldFileAsync(storage, Day.AddDays(-1)), await WriteOldFileAsync(storage, Day.AddDays(-1))];
        using var lake = new LakeQuery(Lake);
        Assert.DoesNotContain(lake.Snapshot(Before.Name)!.Columns, c => c.Name == "sender");

        await using (var writer = await WriterHost.StartAsync(Kafka.BootstrapServers, Lake, "evolving"))
        {
            using var producer = TestEvents.Producer(Kafka.BootstrapServers);
            var sent = TestEvents.Create(GameEventTypes.PurchaseSword, "new.example", Day) with { Sender = "alpha" };
            await producer.ProduceAsync(Topics.Events, TestEvents.Message(sent));
            await Eventually.TrueAsync(() => lake.Count(Before.Name) == 4, TimeSpan.FromSeconds(30), () => $"{lake.Count(Before.Name)} of 4 rows");
        }

        var snapshot = lake.Snapshot(Before.Name)!;
        Assert.Equal(LakeTables.SwordPurchases.Columns.Select(c => c.Name).Append("dt"), snapshot.Columns.Select(c => c.Name));
        Assert.Equal("sender", snapshot.Metadata.Configuration![LakeDeltaTables.ColumnsAddedLater]);
        Assert.Contains(Directory.EnumerateFiles(Path.Combine(Lake, Before.Name, "_delta_log"), "*.json").Select(File.ReadAllText),
            commit => commit.Contains("\"metaData\"", StringComparison.Ordinal) && commit.Contains("STREAMING UPDATE", StringComparison.Ordinal));

        List<(string?, string?)> Senders() => [.. lake.Rows($"SELECT user_id, sender FROM {lake.Source(Before.Name)} ORDER BY user_id, event_time").Select(r => ((string?)r[0], (string?)r[1]))];
        List<(string?, string?)> expected = [("new.example", "alpha"), ("old.example", null), ("old.example", null), ("old.example", null)];
        Assert.Equal(expected, Senders());

        // Compaction: a day with an old and a new file, and a day with only old ones.
        var compaction = await MaintenanceHosts.Create(Lake, new LakeMaintenanceOptions { QuietPeriod = TimeSpan.Zero }).CompactAsync(LakeTables.SwordPurchases, CancellationToken.None);
        Assert.True(compaction.Commits >= 1);
        Assert.Equal(expected, Senders());
        Assert.All(lake.Snapshot(Before.Name)!.Files, file => Assert.True(LakeDeltaTables.HasColumn(file, "sender"), file.Path));
        Assert.Equal(oldOnly.Append(oldSameDay).Order(), lake.Rows($"SELECT event_id FROM {lake.Source(Before.Name)} WHERE sender IS NULL").Select(r => (string)r[0]!).Order());
    }
}
