using System.Text;
using GamePipeline.Lake;

namespace GamePipeline.Tests.Lake;

/// <summary>
/// What StreamWriter's exactly-once commit protocol needs from a lake, proven the same way for every
/// implementation: the local directory and WebHDFS (against an in-process fake of its REST API).
/// </summary>
public abstract class LakeStorageContract : IAsyncLifetime
{
    protected ILakeStorage Storage { get; set; } = null!;

    public abstract ValueTask InitializeAsync();

    public abstract ValueTask DisposeAsync();

    private Task WriteTextAsync(string path, string text) =>
        Storage.WriteAsync(path, stream => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask(), CancellationToken.None);

    private async Task<string?> ReadTextAsync(string path) =>
        await Storage.ReadAsync(path, CancellationToken.None) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    [Fact]
    public async Task A_written_file_reads_back_byte_for_byte_in_folders_created_on_the_way()
    {
        var bytes = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31)).ToArray();

        await Storage.WriteAsync("t/dt=2026-11-25/part-1.parquet", s => s.WriteAsync(bytes).AsTask(), CancellationToken.None);

        Assert.Equal(bytes, await Storage.ReadAsync("t/dt=2026-11-25/part-1.parquet", CancellationToken.None));
        Assert.True(await Storage.ExistsAsync("t/dt=2026-11-25/part-1.parquet", CancellationToken.None));
    }

    [Fact]
    public async Task Missing_files_and_folders_read_as_absent_not_as_errors()
    {
        Assert.Null(await Storage.ReadAsync("nope/missing.json", CancellationToken.None));
        Assert.False(await Storage.ExistsAsync("nope/missing.json", CancellationToken.None));
        Assert.Empty(await Storage.ListAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task Listing_names_only_the_files_directly_in_the_folder()
    {
        await WriteTextAsync("_commits/events/p0000/e0000-1.json", "a");
        await WriteTextAsync("_commits/events/p0000/e0000-2.json", "b");
        await WriteTextAsync("_commits/events/p0000/deeper/e0000-3.json", "c");

        var names = await Storage.ListAsync("_commits/events/p0000", CancellationToken.None);

        Assert.Equal(["e0000-1.json", "e0000-2.json"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_listing_with_statuses_gives_each_files_size_and_modification_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        await WriteTextAsync("events/_delta_log/00000000000000000000.json", "abc");
        await WriteTextAsync("events/_delta_log/00000000000000000001.json", "de");

        var files = (await Storage.ListFilesAsync("events/_delta_log", CancellationToken.None)).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();

        Assert.Equal([("00000000000000000000.json", 3L), ("00000000000000000001.json", 2L)], files.Select(f => (f.Name, f.Length)));
        Assert.All(files, f => Assert.InRange(f.ModifiedAt, before, DateTimeOffset.UtcNow.AddSeconds(2)));
        Assert.Empty(await Storage.ListFilesAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task A_directory_listing_names_the_folders_under_a_table_and_no_file()
    {
        await WriteTextAsync("events/dt=2026-12-06/a.parquet", "a");
        await WriteTextAsync("events/dt=2026-12-07/b.parquet", "b");
        await WriteTextAsync("events/_delta_log/00000000000000000000.json", "{}");

        var directories = await Storage.ListDirectoriesAsync("events", CancellationToken.None);

        Assert.Equal(["_delta_log", "dt=2026-12-06", "dt=2026-12-07"], directories.Order(StringComparer.Ordinal));
        Assert.Empty(await Storage.ListDirectoriesAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task Of_writers_publishing_one_name_at_once_exactly_one_wins_every_time()
    {
        for (var round = 0; round < 50; round++)
        {
            var sources = Enumerable.Range(0, 4).Select(i => $"_staging/{round}-{i}.json").ToList();
            foreach (var source in sources)
            {
                await WriteTextAsync(source, source);
            }

            var outcomes = await Task.WhenAll(sources.Select(source => Task.Run(() => Storage.TryPublishAsync(source, $"_delta_log/{round:D20}.json", CancellationToken.None))));

            Assert.Equal(1, outcomes.Count(won => won));
        }
    }

    [Fact]
    public async Task Publishing_moves_the_file_and_never_overwrites_an_existing_one()
    {
        await WriteTextAsync("_staging/first.json", "first");
        await WriteTextAsync("_staging/second.json", "second");

        Assert.True(await Storage.TryPublishAsync("_staging/first.json", "_commits/p0/e0-0.json", CancellationToken.None));
        Assert.False(await Storage.TryPublishAsync("_staging/second.json", "_commits/p0/e0-0.json", CancellationToken.None));

        Assert.Equal("first", await ReadTextAsync("_commits/p0/e0-0.json"));
        Assert.False(await Storage.ExistsAsync("_staging/first.json", CancellationToken.None));
        Assert.Equal("second", await ReadTextAsync("_staging/second.json"));
    }

    [Fact]
    public async Task Publishing_a_file_that_is_not_there_is_an_error_not_a_lost_race()
    {
        await Assert.ThrowsAnyAsync<IOException>(() => Storage.TryPublishAsync("_staging/never-written.json", "t/x.json", CancellationToken.None));
    }

    [Fact]
    public async Task Deleted_files_are_gone_and_created_folders_list_empty()
    {
        await WriteTextAsync("_staging/old.parquet", "x");
        await Storage.CreateDirectoryAsync("sword_purchases", CancellationToken.None);

        await Storage.DeleteAsync("_staging/old.parquet", CancellationToken.None);

        Assert.False(await Storage.ExistsAsync("_staging/old.parquet", CancellationToken.None));
        Assert.Empty(await Storage.ListAsync("sword_purchases", CancellationToken.None));
    }
}

public sealed class LocalLakeStorageContractTests : LakeStorageContract
{
    private readonly string _root = Directory.CreateTempSubdirectory("lake-contract-").FullName;

    public override ValueTask InitializeAsync()
    {
        Storage = new LocalLakeStorage(_root);
        return ValueTask.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }
}

public sealed class WebHdfsLakeStorageContractTests : LakeStorageContract
{
    private FakeWebHdfs _hdfs = null!;
    private HttpClient _http = null!;

    public override async ValueTask InitializeAsync()
    {
        _hdfs = await FakeWebHdfs.StartAsync();
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        Storage = new WebHdfsLakeStorage(_http, WebHdfsOptions.Parse(_hdfs.ConnectionString("/lake")));
    }

    public override async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _hdfs.DisposeAsync();
    }
}
