using GamePipeline.Lake;
using StreamWriter.Writing;

namespace GamePipeline.Tests.StreamWriter;

public sealed class CommitLogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("commitlog-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CommitManifest Manifest(long first, long last, string writer, params CommittedFile[] files) =>
        new("events", 0, 0, first, last, (int)(last - first + 1), files, DateTimeOffset.UtcNow, writer);

    [Fact]
    public async Task Only_one_of_two_writers_committing_the_same_range_wins()
    {
        var storage = new LocalLakeStorage(_root);
        var log = new CommitLog(storage, "events");

        Assert.True(await log.TryCommitAsync(Manifest(0, 99, "a"), CancellationToken.None));
        Assert.False(await log.TryCommitAsync(Manifest(0, 149, "b"), CancellationToken.None));

        var checkpoint = await log.RecoverAsync(0, CancellationToken.None);
        Assert.Equal(100, checkpoint.NextOffset);
        Assert.Equal("a", checkpoint.Last!.Writer);
    }

    [Fact]
    public async Task Recovery_rolls_forward_a_committed_batch_whose_files_were_not_yet_moved()
    {
        var storage = new LocalLakeStorage(_root);
        var staged = LakeLayout.StagedFile("events", 0, ".parquet");
        await storage.WriteAsync(staged, s => s.WriteAsync("data"u8.ToArray()).AsTask(), CancellationToken.None);
        var manifest = Manifest(0, 9, "a", new CommittedFile("join_guilds", "join_guilds/dt=2026-11-25/part.parquet", staged, 10, 4));
        // Publish the manifest the way a writer that crashed right after its commit point would have left it.
        await storage.WriteAsync("pending.json", s => System.Text.Json.JsonSerializer.SerializeAsync(s, manifest), CancellationToken.None);
        await storage.TryPublishAsync("pending.json", $"{LakeLayout.CommitDirectory("events", 0)}/{LakeLayout.ManifestName(0, 0)}", CancellationToken.None);

        var checkpoint = await new CommitLog(storage, "events").RecoverAsync(0, CancellationToken.None);

        Assert.Equal(10, checkpoint.NextOffset);
        Assert.True(File.Exists(Path.Combine(_root, "join_guilds/dt=2026-11-25/part.parquet")));
        Assert.False(await storage.ExistsAsync(staged, CancellationToken.None));
    }
}
