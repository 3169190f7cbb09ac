using System.Globalization;
using System.Text.Json;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace StreamWriter.Writing;

/// <summary>A key the lake holds: its user, event id, position and time (a row of <c>idempotency_keys</c>).</summary>
internal readonly record struct StoredKey(KeyId Key, EventPosition Position, DateTime Time);

/// <summary>
/// Rebuilds partitions' <see cref="KeyWindow"/>s from table <c>idempotency_keys</c>: every key accepted before the
/// position a partition resumes at, within the window of the newest of them. Only the files that can hold such keys
/// are read — by their statistics, newest first per partition, until a file's newest key is past the window of the
/// newest key found — and of those only the columns the window needs. Keys at or after the resume position (a table
/// committed ahead of the others before a crash) are left out: the replay decides on them again, as the writer
/// before it did.
/// </summary>
internal sealed class KeyRecovery(ILakeStorage storage, TimeSpan window)
{
    private static readonly string Table = LakeTables.IdempotencyKeys.Name;

    /// <param name="resumeAt">Per partition: the epoch and offset it resumes at.</param>
    public async Task<Dictionary<int, KeyWindow>> LoadAsync(DeltaSnapshot? keys, IReadOnlyDictionary<int, (int Epoch, long Offset)> resumeAt, CancellationToken cancellationToken)
    {
        var windows = resumeAt.Keys.ToDictionary(partition => partition, _ => new KeyWindow(window));
        if (keys is null || keys.FileCount == 0)
        {
            return windows;
        }

        var files = keys.Files.Select(file => (File: file, Range: FileRange.Of(file.Stats))).ToList();
        var read = new Dictionary<string, ILookup<int, StoredKey>>();
        foreach (var (partition, (epoch, offset)) in resumeAt)
        {
            var before = new EventPosition(epoch, offset, 0);
            var found = new List<StoredKey>();
            DateTime? newest = null;
            foreach (var (file, range) in files.Where(f => f.Range.MayHold(partition)).OrderByDescending(f => f.Range.NewestTime))
            {
                if (newest is { } known && range.NewestTime < known - window)
                {
                    break;
                }

                if (!read.TryGetValue(file.Path, out var byPartition))
                {
                    read[file.Path] = byPartition = (await ReadAsync(file, cancellationToken)).ToLookup(key => key.Partition, key => key.Stored);
                }

                foreach (var key in byPartition[partition].Where(key => key.Position < before))
                {
                    found.Add(key);
                    newest = newest is { } n && n >= key.Time ? n : key.Time;
                }
            }

            var keysOfPartition = windows[partition];
            keysOfPartition.EnsureCapacity(found.Count);
            foreach (var key in found.Where(key => key.Time >= newest - window))
            {
                keysOfPartition.Load(key.Key, key.Position, key.Time);
            }

            keysOfPartition.Checkpoint();
        }

        return windows;
    }

    private async Task<List<(int Partition, StoredKey Stored)>> ReadAsync(DeltaFile file, CancellationToken cancellationToken)
    {
        var keys = new List<(int, StoredKey)>();
        await StoredRows.ForEachAsync(storage, Table, file, async rows =>
        {
            var users = await rows.StringsAsync("user_id", cancellationToken);
            var ids = await rows.StringsAsync("event_id", cancellationToken);
            var times = await rows.ValuesAsync<DateTime>("event_time", cancellationToken);
            var partitions = await rows.ValuesAsync<int>("kafka_partition", cancellationToken);
            var epochs = await rows.ValuesAsync<int>("kafka_epoch", cancellationToken);
            var offsets = await rows.ValuesAsync<long>("kafka_offset", cancellationToken);
            for (var row = 0; row < rows.Count; row++)
            {
                var time = DateTime.SpecifyKind(times[row], DateTimeKind.Utc);
                keys.Add((partitions[row], new StoredKey(KeyId.Of(Guid.Parse(ids[row]), users[row]), new EventPosition(epochs[row], offsets[row], 0), time)));
            }
        }, cancellationToken);
        return keys;
    }

    /// <summary>What a file's statistics say of its keys: the partitions and the newest time (unbounded without statistics).</summary>
    private readonly record struct FileRange(int MinPartition, int MaxPartition, DateTime NewestTime)
    {
        private static readonly FileRange Unknown = new(int.MinValue, int.MaxValue, DateTime.MaxValue);

        public bool MayHold(int partition) => partition >= MinPartition && partition <= MaxPartition;

        public static FileRange Of(string? stats)
        {
            if (stats is not { Length: > 0 })
            {
                return Unknown;
            }

            using var json = JsonDocument.Parse(stats);
            var root = json.RootElement;
            if (!root.TryGetProperty("minValues", out var min) || !root.TryGetProperty("maxValues", out var max)
                || !min.TryGetProperty("kafka_partition", out var minPartition) || !max.TryGetProperty("kafka_partition", out var maxPartition)
                || !max.TryGetProperty("event_time", out var newest))
            {
                return Unknown;
            }

            return new FileRange(
                minPartition.GetInt32(),
                maxPartition.GetInt32(),
                DateTime.Parse(newest.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        }
    }
}
