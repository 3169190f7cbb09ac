using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace StreamWriter.Writing;

/// <summary>Where an event sits in its Kafka partition: the partition's epoch, the record's offset, the event's place in the record.</summary>
internal readonly record struct EventPosition(int Epoch, long Offset, int Index) : IComparable<EventPosition>
{
    public int CompareTo(EventPosition other) =>
        Epoch != other.Epoch ? Epoch.CompareTo(other.Epoch)
        : Offset != other.Offset ? Offset.CompareTo(other.Offset)
        : Index.CompareTo(other.Index);

    public static bool operator <(EventPosition a, EventPosition b) => a.CompareTo(b) < 0;

    public static bool operator >(EventPosition a, EventPosition b) => a.CompareTo(b) > 0;
}

/// <summary>
/// An idempotency key as the window compares it: the event id and a 64-bit hash of the user id (keys are per user).
/// Two keys are taken for one only when their event ids are equal and their users' hashes collide — one chance in
/// 2^64 for a pair that shares an event id, which no client shares across users except by mistake.
/// </summary>
internal readonly record struct KeyId(Guid EventId, ulong User)
{
    public static KeyId Of(Guid eventId, ReadOnlySpan<byte> userIdUtf8) => new(eventId, XxHash3.HashToUInt64(userIdUtf8));

    public static KeyId Of(Guid eventId, string userId)
    {
        var utf8 = userId.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(userId.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(userId.Length)];
        return Of(eventId, utf8[..Encoding.UTF8.GetBytes(userId, utf8)]);
    }
}

/// <summary>The accepted event a key last stood for: where it was and when GameApi received it.</summary>
internal readonly record struct KeySeen(EventPosition Position, DateTime Time);

/// <summary>
/// The idempotency keys of one Kafka partition's accepted events within the dedup window, and the rule that tells
/// a duplicate: an event whose key an earlier accepted event of the partition had, received no more than the window
/// before this event — or before the newest accepted keyed event, if this one's clock is behind it. Measured on the
/// events' own times and positions, never on the writer's clock, so a writer that replays records after a crash
/// or a takeover decides each exactly as the first writer did, given the keys the lake holds before the replay.
/// Changes since the last <see cref="Checkpoint"/> can be undone (a batch that failed half-way is parsed again).
/// Used by one thread at a time (the partition's batch being parsed).
/// </summary>
internal sealed class KeyWindow(TimeSpan window)
{
    private readonly Dictionary<KeyId, KeySeen> _seen = [];
    private readonly List<(KeyId Key, KeySeen? Before)> _undo = [];
    private DateTime _newest;
    private DateTime _newestAtCheckpoint;
    private DateTime _sweptAt;

    public TimeSpan Window => window;

    public int Count => _seen.Count;

    /// <summary>The newest time of an accepted keyed event: keys older than it by more than the window are forgotten.</summary>
    public DateTime Newest => _newest;

    /// <summary>
    /// Checks an event's key: null when it is new (it is then remembered as accepted), or the accepted event it repeats.
    /// A key remembered at or after <paramref name="position"/> is the same event seen again (a batch parsed again).
    /// </summary>
    public KeySeen? Accept(KeyId key, EventPosition position, DateTime time)
    {
        time = ToMilliseconds(time);
        ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(_seen, key, out var exists);
        if (exists && seen.Position < position && seen.Time >= Horizon(time))
        {
            return seen;
        }

        _undo.Add((key, exists ? seen : null));
        seen = new KeySeen(position, time);
        if (time > _newest)
        {
            _newest = time;
        }

        return null;
    }

    /// <summary>Makes room for <paramref name="keys"/> keys at once (a recovery that knows how many it loads).</summary>
    public void EnsureCapacity(int keys) => _seen.EnsureCapacity(keys);

    /// <summary>Remembers a key the lake holds (a recovery); the newest per key wins.</summary>
    public void Load(KeyId key, EventPosition position, DateTime time)
    {
        time = ToMilliseconds(time);
        ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(_seen, key, out var exists);
        if (!exists || seen.Position < position)
        {
            seen = new KeySeen(position, time);
        }

        if (time > _newest)
        {
            _newest = time;
        }
    }

    /// <summary>
    /// The changes so far stand (the batch was parsed whole, or the keys the lake holds are loaded); keys the window
    /// has passed are forgotten, in one pass over them once the newest time moved on by a quarter of the window since
    /// the last such pass. A forgotten key could never count again: the horizon only moves forward.
    /// </summary>
    public void Checkpoint()
    {
        _undo.Clear();
        _newestAtCheckpoint = _newest;
        if (_newest - _sweptAt >= window / 4)
        {
            Sweep();
        }
    }

    /// <summary>Undoes the changes since the last <see cref="Checkpoint"/>, newest first.</summary>
    public void Rollback()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var (key, before) = _undo[i];
            if (before is { } seen)
            {
                _seen[key] = seen;
            }
            else
            {
                _seen.Remove(key);
            }
        }

        _undo.Clear();
        _newest = _newestAtCheckpoint;
    }

    /// <summary>Times as the lake stores them (milliseconds), so that keys read back from it compare as they did when accepted.</summary>
    private static DateTime ToMilliseconds(DateTime time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>Keys accepted before this are past the window for an event received at <paramref name="time"/>.</summary>
    private DateTime Horizon(DateTime time) => (time > _newest ? time : _newest) - window;

    private void Sweep()
    {
        var horizon = _newest - window;
        foreach (var (key, seen) in _seen)
        {
            if (seen.Time < horizon)
            {
                _seen.Remove(key);
            }
        }

        _sweptAt = _newest;
    }
}
