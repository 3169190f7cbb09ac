using System.Diagnostics;
using System.Text.Json;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace GamePipeline.Tests.StreamWriter;

/// <summary>Many partitions committing to the same Delta tables from several writer processes at once.</summary>
public sealed class DeltaCommitTests() : KafkaAndLake(partitions: 16)
{
    [Fact]
    public async Task Sixteen_partitions_flushing_every_second_from_two_writer_processes_for_a_minute_leave_contiguous_versions_and_exact_counts()
    {
        var settings = new Dictionary<string, string?> { ["StreamWriter:FlushInterval"] = "00:00:01", ["StreamWriter:BacklogReadPartitions"] = "32" };
        using var first = WriterProcess.Start(Kafka.BootstrapServers, Lake, "first", settings);
        using var second = WriterProcess.Start(Kafka.BootstrapServers, Lake, "second", settings);
        var stop = new TaskCompletionSource();
        var producing = TestEvents.ProduceWhileAsync(Kafka.BootstrapServers, stop.Task, perSecond: 1_600, hosts: 64);

        // While both writers commit, what a reader counts only grows.
        using var lake = new LakeQuery(Lake);
        var counts = new List<long>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            counts.Add(lake.CountAllEvents());
            await Task.Delay(500);
        }

        stop.SetResult();
        var produced = await producing;
        await Eventually.TrueAsync(() => lake.CountAllEvents() >= produced.Count, TimeSpan.FromSeconds(60),
            () => $"the lake holds {lake.CountAllEvents()} of {produced.Count} events\nfirst:\n{first.Output}\nsecond:\n{second.Output}");
        var ids = lake.EventIds();
        Assert.Equal(produced.Count, ids.Count);
        Assert.True(produced.SetEquals(ids), "the lake's event ids differ from those produced");
        Assert.Equal(counts.Order(), counts);
        Assert.True(counts[^1] <= produced.Count);

        var writers = new HashSet<string>();
        foreach (var table in LakeTables.Streamed)
        {
            var log = ReadLog(table.Name);
            // Versions 0..N, none missing; a data file is added once, and exists; each partition's txn only advances.
            Assert.Equal(Enumerable.Range(0, log.Count).Select(v => (long)v), log.Select(c => c.Version));
            var added = new HashSet<string>();
            var transactions = new Dictionary<string, long>();
            foreach (var commit in log)
            {
                Assert.All(commit.Adds, path => Assert.True(added.Add(path), $"{table.Name}: {path} added twice"));
                foreach (var (appId, version) in commit.Transactions)
                {
                    Assert.True(version > transactions.GetValueOrDefault(appId, -1), $"{table.Name} version {commit.Version}: {appId} went from {transactions.GetValueOrDefault(appId, -1)} to {version}");
                    transactions[appId] = version;
                }

                writers.UnionWith(commit.Writer is { } writer ? [writer] : []);
            }

            Assert.All(added, path => Assert.True(File.Exists(Path.Combine(Lake, table.Name, path)), $"{path} is missing"));
            // The snapshot (read from the newest checkpoint on) is the replay of every commit.
            var snapshot = lake.Snapshot(table.Name)!;
            Assert.Equal(added.Order(), snapshot.Files.Select(f => f.Path).Order());
            Assert.Equal(transactions.OrderBy(t => t.Key), snapshot.Transactions.OrderBy(t => t.Key));
            Assert.True(log.Count < 10 || File.Exists(Path.Combine(Lake, table.Name, "_delta_log", DeltaLogFiles.LastCheckpoint)), $"{table.Name} has {log.Count} versions and no checkpoint");
            Assert.Equal(16, transactions.Keys.Count(appId => LakeLayout.TryParseTransactionAppId(appId, Topics.Events, out _, out _)));
        }

        Assert.Equal(["first", "second"], writers.Order());
        await first.StopAsync();
        await second.StopAsync();
    }

    private sealed record Commit(long Version, List<string> Adds, Dictionary<string, long> Transactions, string? Writer);

    /// <summary>Every commit file of the table's log, in version order, parsed on its own (not through our reader).</summary>
    private List<Commit> ReadLog(string table) =>
    [
        .. Directory.EnumerateFiles(Path.Combine(Lake, table, "_delta_log"), "*.json")
            .Select(path => (Path: path, Version: long.Parse(Path.GetFileNameWithoutExtension(path), System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(file => file.Version)
            .Select(file =>
            {
                var commit = new Commit(file.Version, [], [], null);
                foreach (var line in File.ReadLines(file.Path).Where(l => l.Length > 0))
                {
                    using var action = JsonDocument.Parse(line);
                    if (action.RootElement.TryGetProperty("add", out var add))
                    {
                        commit.Adds.Add(add.GetProperty("path").GetString()!);
                    }
                    else if (action.RootElement.TryGetProperty("txn", out var txn))
                    {
                        commit.Transactions[txn.GetProperty("appId").GetString()!] = txn.GetProperty("version").GetInt64();
                    }
                    else if (action.RootElement.TryGetProperty("commitInfo", out var info)
                        && info.TryGetProperty("operationParameters", out var parameters) && parameters.TryGetProperty("writer", out var writer))
                    {
                        commit = commit with { Writer = writer.GetString() };
                    }
                }

                return commit;
            }),
    ];
}
