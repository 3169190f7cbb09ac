using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Tests.Delta;

public sealed class DeltaCommitterTests : IDisposable
{
    private const string Table = "sword_purchases";
    private static readonly DeltaTableDefinition Definition = new(
        """{"type":"struct","fields":[{"name":"event_id","type":"string","nullable":false,"metadata":{}},{"name":"dt","type":"string","nullable":false,"metadata":{}}]}""",
        ["dt"],
        new Dictionary<string, string> { ["delta.checkpointInterval"] = "5" });

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("delta-appender-");
    private readonly LocalLakeStorage _storage;

    public DeltaCommitterTests() => _storage = new LocalLakeStorage(_root.FullName);

    public void Dispose() => _root.Delete(recursive: true);

    private DeltaCommitter Appender(int checkpointInterval = 10) => new(_storage, Table, Definition, checkpointInterval);

    private static AddAction File(string name) => new()
    {
        Path = $"dt=2026-12-06/{name}.parquet", PartitionValues = new() { ["dt"] = "2026-12-06" }, Size = 1, ModificationTime = 1, DataChange = true, Stats = """{"numRecords":1}""",
    };

    private Task<DeltaSnapshot> ReadAsync(long? version = null) => new DeltaLog(_storage, Table).ReadAsync(version);

    [Fact]
    public async Task The_first_append_creates_the_table_with_the_lowest_protocol_its_schema_and_its_files()
    {
        var result = await Appender().AppendAsync([File("a")], [new TransactionAdvance("events-p0", null, 41)], "STREAMING UPDATE", CancellationToken.None);

        var snapshot = await ReadAsync();
        Assert.Equal(0, result.Version);
        Assert.Equal((1, 1), (snapshot.Protocol.MinReaderVersion, snapshot.Protocol.MinWriterVersion));
        Assert.Equal(["event_id", "dt"], snapshot.Columns.Select(c => c.Name));
        Assert.Equal(["dt"], snapshot.PartitionColumns);
        Assert.Equal("5", snapshot.Metadata.Configuration!["delta.checkpointInterval"]);
        Assert.Equal(["dt=2026-12-06/a.parquet"], snapshot.Files.Select(f => f.Path));
        Assert.Equal(41, snapshot.Transactions["events-p0"]);
    }

    [Fact]
    public async Task Writers_appending_at_once_get_contiguous_versions_and_lose_no_commit()
    {
        const int writers = 4, appendsEach = 25;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var appender = Appender(checkpointInterval: 1_000);
            long? at = null;
            for (var i = 0; i < appendsEach; i++)
            {
                var to = (i + 1) * 10L;
                await appender.AppendAsync([File($"w{w}-{i}")], [new TransactionAdvance($"events-p{w}", at, to)], "STREAMING UPDATE", CancellationToken.None);
                at = to;
            }
        })));

        var snapshot = await ReadAsync();
        Assert.Equal(writers * appendsEach - 1, snapshot.Version);
        Assert.Equal(
            Enumerable.Range(0, writers * appendsEach).Select(v => DeltaLogFiles.CommitName(v)),
            Directory.EnumerateFiles(Path.Combine(_root.FullName, Table, "_delta_log")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(writers * appendsEach, snapshot.FileCount);
        Assert.All(Enumerable.Range(0, writers), w => Assert.Equal(appendsEach * 10, snapshot.Transactions[$"events-p{w}"]));
    }

    [Fact]
    public async Task A_writer_whose_partition_another_has_committed_since_is_refused_and_commits_nothing()
    {
        await Appender().AppendAsync([File("first")], [new TransactionAdvance("events-p3", null, 10)], "STREAMING UPDATE", CancellationToken.None);
        var zombie = Appender();
        await zombie.AppendAsync([], [new TransactionAdvance("events-p7", null, 1)], "STREAMING UPDATE", CancellationToken.None);
        await Appender().AppendAsync([File("taken-over")], [new TransactionAdvance("events-p3", 10, 20)], "STREAMING UPDATE", CancellationToken.None);

        var error = await Assert.ThrowsAsync<DeltaTransactionConflictException>(() =>
            zombie.AppendAsync([File("duplicate")], [new TransactionAdvance("events-p3", 10, 15)], "STREAMING UPDATE", CancellationToken.None));

        Assert.Equal(["events-p3"], error.AppIds);
        Assert.Contains("events-p3 (now at 20, read at 10)", error.Message);
        var snapshot = await ReadAsync();
        Assert.Equal(2, snapshot.Version);
        Assert.DoesNotContain(snapshot.Files, f => f.Path.Contains("duplicate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_metadata_change_committed_between_reading_and_committing_is_a_conflict_for_a_blind_append()
    {
        await Appender().AppendAsync([File("a")], [], "WRITE", CancellationToken.None);
        var current = await ReadAsync();
        // Another writer changes the table's metadata just before this append publishes its version.
        var racing = new RacingStorage(_storage, () => new DeltaLogWriter(_storage, Table).TryCommitAsync(1, new CommitInfoAction { Operation = "ADD COLUMNS" },
            [new DeltaAction { MetaData = new MetadataAction { Id = "another", SchemaString = current.Metadata.SchemaString, PartitionColumns = ["dt"], Configuration = [] } }],
            CancellationToken.None));

        await Assert.ThrowsAsync<DeltaTransactionConflictException>(() =>
            new DeltaCommitter(racing, Table, Definition).AppendAsync([File("b")], [], "WRITE", CancellationToken.None));
        Assert.DoesNotContain((await ReadAsync()).Files, f => f.Path.Contains("/b.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_checkpoint_is_written_every_interval_and_readers_start_from_it()
    {
        var appender = Appender(checkpointInterval: 5);
        var results = new List<DeltaAppendResult>();
        for (var i = 0; i < 12; i++)
        {
            results.Add(await appender.AppendAsync([File($"f{i}")], [], "STREAMING UPDATE", CancellationToken.None));
        }

        Assert.Equal([5L, 10L], results.Where(r => r.Checkpointed).Select(r => r.Version));
        Assert.All(results, r => Assert.Null(r.CheckpointError));
        var log = Path.Combine(_root.FullName, Table, "_delta_log");
        Assert.True(System.IO.File.Exists(Path.Combine(log, DeltaLogFiles.CheckpointName(10))));
        foreach (var version in Enumerable.Range(0, 11))
        {
            System.IO.File.Delete(Path.Combine(log, DeltaLogFiles.CommitName(version)));
        }

        Assert.Equal(12, (await ReadAsync()).FileCount);
    }

    /// <summary>A lake storage whose first publish lets another writer commit first.</summary>
    private sealed class RacingStorage(ILakeStorage inner, Func<Task<bool>> competitor) : DelegatingLakeStorage(inner)
    {
        private Func<Task<bool>>? _competitor = competitor;

        public override async Task<bool> TryPublishAsync(string from, string to, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _competitor, null) is { } first)
            {
                Assert.True(await first());
            }

            return await base.TryPublishAsync(from, to, cancellationToken);
        }
    }
}
