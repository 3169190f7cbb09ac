using System.Diagnostics;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;
using StreamWriter.Writing;

/// <summary>What idempotency keys cost a writer that is assigned partitions: the time to load them from the lake, and the memory they hold.</summary>
internal static class KeyCosts
{
    public static async Task<int> Load(string lakePath, string topic, TimeSpan window)
    {
        var storage = new LocalLakeStorage(lakePath);
        var keysTable = await new DeltaLog(storage, LakeTables.IdempotencyKeys.Name).ReadAsync();

        // Every partition resumes where the keys table's txn says, as a writer taking them all over would.
        var resumeAt = new Dictionary<int, (int Epoch, long Offset)>();
        foreach (var (appId, version) in keysTable.Transactions)
        {
            if (LakeLayout.TryParseTransactionAppId(appId, topic, out var partition, out var epoch)
                && (!resumeAt.TryGetValue(partition, out var known) || known.Epoch < epoch))
            {
                resumeAt[partition] = (epoch, version + 1);
            }
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var windows = await new KeyRecovery(storage, window).LoadAsync(keysTable, resumeAt, CancellationToken.None);
        var elapsed = clock.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var keys = windows.Values.Sum(w => w.Count);
        Console.WriteLine($"keys: {keys:N0} of {resumeAt.Count} partitions ({keysTable.FileCount} files) loaded in {elapsed.TotalSeconds:0.00} s; " +
            $"held {(after - before) / 1e6:0.0} MB = {(double)(after - before) / Math.Max(keys, 1):0} bytes per key = {(after - before) / 1e6 / Math.Max(keys, 1) * 1e6:0} MB per million keys");
        GC.KeepAlive(windows);
        return 0;
    }
}
