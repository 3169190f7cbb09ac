using DuckDB.NET.Data;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Tests.Delta;

/// <summary>Our log writer, read back by our log reader, and its checkpoints held to the shape of Spark's.</summary>
public sealed class DeltaLogWriterTests : IDisposable
{
    private const string Table = "events";
    private const string Schema = """{"type":"struct","fields":[{"name":"event_id","type":"string","nullable":false,"metadata":{}},{"name":"event_time","type":"timestamp","nullable":false,"metadata":{}},{"name":"dt","type":"string","nullable":false,"metadata":{}}]}""";
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("delta-writer-");
    private readonly LocalLakeStorage _storage;
    private readonly DeltaLogWriter _writer;

    public DeltaLogWriterTests()
    {
        _storage = new LocalLakeStorage(_root.FullName);
        _writer = new DeltaLogWriter(_storage, Table);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private static CommitInfoAction Info(string operation) => new() { Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Operation = operation };

    private static DeltaAction Add(string path, string dt, long rows) => new()
    {
        Add = new AddAction { Path = path, PartitionValues = new() { ["dt"] = dt }, Size = 100, ModificationTime = 1, DataChange = true, Stats = $$"""{"numRecords":{{rows}}}""" },
    };

    private static DeltaAction Txn(string app, long version) => new() { Txn = new TransactionAction { AppId = app, Version = version } };

    private async Task CreateAsync()
    {
        Assert.True(await _writer.TryCommitAsync(0, Info("CREATE TABLE"),
        [
            new() { Protocol = new ProtocolAction { MinReaderVersion = 1, MinWriterVersion = 1 } },
            new() { MetaData = new MetadataAction { Id = "t", SchemaString = Schema, PartitionColumns = ["dt"], Configuration = [], CreatedTime = 1 } },
            Add("dt=2026-12-06/a.parquet", "2026-12-06", 3),
            Txn("events-p0", 10),
        ], CancellationToken.None));
        Assert.True(await _writer.TryCommitAsync(1, Info("STREAMING UPDATE"),
        [
            Add("dt=2026-12-06/b%20c.parquet", "2026-12-06", 4),
            new() { Remove = new RemoveAction { Path = "dt=2026-12-06/a.parquet", DeletionTimestamp = 2, DataChange = false } },
            Txn("events-p0", 20),
            Txn("events-p1", 5),
        ], CancellationToken.None));
    }

    [Fact]
    public async Task What_the_writer_commits_the_reader_replays()
    {
        await CreateAsync();

        var snapshot = await new DeltaLog(_storage, Table).ReadAsync();

        Assert.Equal(1, snapshot.Version);
        Assert.Equal((1, 1), (snapshot.Protocol.MinReaderVersion, snapshot.Protocol.MinWriterVersion));
        Assert.Equal(["event_id", "event_time", "dt"], snapshot.Columns.Select(c => c.Name));
        Assert.Equal(["dt"], snapshot.PartitionColumns);
        var file = Assert.Single(snapshot.Files);
        Assert.Equal("dt=2026-12-06/b%20c.parquet", file.Path);
        Assert.Equal("dt=2026-12-06/b c.parquet", file.StoragePath);
        Assert.Equal(4, file.RecordsInStats());
        Assert.Equal(new Dictionary<string, long> { ["events-p0"] = 20, ["events-p1"] = 5 }, snapshot.Transactions);
    }

    [Fact]
    public async Task A_version_a_listing_missed_while_it_was_being_added_is_read_by_name()
    {
        await CreateAsync();
        Assert.True(await _writer.TryCommitAsync(2, Info("STREAMING UPDATE"), [Add("dt=2026-12-07/e.parquet", "2026-12-07", 1)], CancellationToken.None));
        // readdir may leave out an entry added while it runs, and still list a later one.
        var storage = new ListingWithout(_storage, DeltaLogFiles.CommitName(1));

        var snapshot = await new DeltaLog(storage, Table).ReadAsync();

        Assert.Equal(2, snapshot.Version);
        Assert.Equal(["dt=2026-12-06/b%20c.parquet", "dt=2026-12-07/e.parquet"], snapshot.Files.Select(f => f.Path));
    }

    [Fact]
    public async Task Of_two_commits_of_one_version_the_second_is_refused_and_leaves_nothing_behind()
    {
        await CreateAsync();

        Assert.False(await _writer.TryCommitAsync(1, Info("STREAMING UPDATE"), [Add("dt=2026-12-06/late.parquet", "2026-12-06", 1)], CancellationToken.None));

        Assert.DoesNotContain((await new DeltaLog(_storage, Table).ReadAsync()).Files, f => f.Path.Contains("late", StringComparison.Ordinal));
        Assert.Equal(["00000000000000000000.json", "00000000000000000001.json"], Directory.EnumerateFiles(Path.Combine(_root.FullName, Table, "_delta_log")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_checkpoint_alone_rebuilds_the_snapshot_once_the_commits_before_it_are_gone()
    {
        await CreateAsync();
        var log = new DeltaLog(_storage, Table);
        var atOne = await log.ReadAsync();
        await _writer.WriteCheckpointAsync(atOne, CancellationToken.None);
        Assert.True(await _writer.TryCommitAsync(2, Info("STREAMING UPDATE"), [Add("dt=2026-12-07/d.parquet", "2026-12-07", 5), Txn("events-p1", 9)], CancellationToken.None));
        foreach (var version in new[] { 0, 1 })
        {
            File.Delete(Path.Combine(_root.FullName, Table, "_delta_log", DeltaLogFiles.CommitName(version)));
        }

        var atTwo = await log.ReadAsync();

        Assert.Equal(2, atTwo.Version);
        Assert.Equal(["dt=2026-12-06/b%20c.parquet", "dt=2026-12-07/d.parquet"], atTwo.Files.Select(f => f.Path));
        Assert.Equal(new Dictionary<string, long> { ["events-p0"] = 20, ["events-p1"] = 9 }, atTwo.Transactions);
        Assert.Equal(["dt"], atTwo.PartitionColumns);
        Assert.Equal("2026-12-07", atTwo.Files.Last().PartitionValues["dt"]);
        Assert.Equal(5, atTwo.Files.Last().RecordsInStats());
        Assert.Equal(DeltaReadFailure.MissingVersion, (await Assert.ThrowsAsync<DeltaTableException>(() => log.ReadAsync(0))).Failure);
        // protocol, metaData, two transactions, one live file
        Assert.Equal("""{"version":1,"size":5}""", await File.ReadAllTextAsync(Path.Combine(_root.FullName, Table, "_delta_log", DeltaLogFiles.LastCheckpoint)));
    }

    [Fact]
    public async Task Our_checkpoint_has_the_column_types_of_sparks_for_every_field_we_write()
    {
        await CreateAsync();
        await _writer.WriteCheckpointAsync(await new DeltaLog(_storage, Table).ReadAsync(), CancellationToken.None);
        var ours = Path.Combine(_root.FullName, Table, "_delta_log", DeltaLogFiles.CheckpointName(1));
        var sparks = Path.Combine(Repository.Root, "testdata", "delta", "golden-tables", "basic-with-inserts-deletes-checkpoint", "_delta_log", DeltaLogFiles.CheckpointName(10));

        var ourFields = FieldTypes(ours);
        var sparkFields = FieldTypes(sparks);

        foreach (var field in new[] { "txn.appId", "txn.version", "add.path", "add.partitionValues", "add.size", "add.modificationTime", "add.dataChange", "add.stats", "remove.path", "remove.deletionTimestamp", "remove.dataChange", "metaData.id", "metaData.schemaString", "metaData.partitionColumns", "metaData.configuration", "metaData.createdTime", "protocol.minReaderVersion", "protocol.minWriterVersion" })
        {
            Assert.True(ourFields.ContainsKey(field), $"our checkpoint lacks {field}");
            Assert.Equal((field, sparkFields[field]), (field, ourFields[field]));
        }
    }

    /// <summary>"action.field" → DuckDB's type for each field of each top-level struct column of a checkpoint.</summary>
    private static Dictionary<string, string> FieldTypes(string checkpoint)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{checkpoint}')";
        var columns = new List<(string Name, string Type)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, type) in columns.Where(c => c.Type.StartsWith("STRUCT(", StringComparison.Ordinal)))
        {
            foreach (var (field, fieldType) in StructFields(type))
            {
                fields[$"{name}.{field}"] = fieldType;
            }
        }

        return fields;
    }

    /// <summary>The top-level fields of a DuckDB STRUCT type, e.g. <c>STRUCT(path VARCHAR, size BIGINT)</c>.</summary>
    private static IEnumerable<(string Field, string Type)> StructFields(string type)
    {
        var body = type["STRUCT(".Length..^1];
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= body.Length; i++)
        {
            if (i == body.Length || (body[i] == ',' && depth == 0))
            {
                var part = body[start..i].Trim();
                var space = part.IndexOf(' ', StringComparison.Ordinal);
                yield return (part[..space].Trim('"'), part[(space + 1)..]);
                start = i + 1;
            }
            else if (body[i] == '(')
            {
                depth++;
            }
            else if (body[i] == ')')
            {
                depth--;
            }
        }
    }

    /// <summary>A lake storage whose listings leave out one file that is there.</summary>
    private sealed class ListingWithout(ILakeStorage inner, string hidden) : DelegatingLakeStorage(inner)
    {
        public override async Task<IReadOnlyList<string>> ListAsync(string directory, CancellationToken cancellationToken) =>
            [.. (await base.ListAsync(directory, cancellationToken)).Where(name => name != hidden)];

        public override async Task<IReadOnlyList<LakeFileStatus>> ListFilesAsync(string directory, CancellationToken cancellationToken) =>
            [.. (await base.ListFilesAsync(directory, cancellationToken)).Where(file => file.Name != hidden)];
    }
}
