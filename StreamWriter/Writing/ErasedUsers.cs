using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using GamePipeline.Contracts;
using GamePipeline.Lake;
using GamePipeline.Lake.Delta;

namespace StreamWriter.Writing;

/// <summary>A user id's SHA-256, as four words (the form <c>erasures.user_hash</c> holds in hex).</summary>
internal readonly record struct UserHash(ulong A, ulong B, ulong C, ulong D)
{
    public static UserHash Of(ReadOnlySpan<byte> userIdUtf8)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(userIdUtf8, hash);
        var words = MemoryMarshal.Cast<byte, ulong>(hash);
        return new UserHash(words[0], words[1], words[2], words[3]);
    }

    /// <summary><c>sha256:</c> and 64 hex digits; null for anything else.</summary>
    public static UserHash? Parse(string text)
    {
        if (!text.StartsWith(Sha256Text.Prefix, StringComparison.Ordinal) || text.Length != Sha256Text.Prefix.Length + 64)
        {
            return null;
        }

        var bytes = Convert.FromHexString(text.AsSpan(Sha256Text.Prefix.Length));
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        return new UserHash(words[0], words[1], words[2], words[3]);
    }
}

/// <summary>
/// The suppression list: users an erasure was requested for (table <c>erasures</c>, any state). Their events are dropped
/// before they reach the lake — those still in Kafka when the erasure came, and any that arrive later — so an erased
/// player stays erased. Read from the lake at every assignment and every <see cref="StreamWriterOptions.ErasureRefreshInterval"/>;
/// the parse threads read the current set without locks. While no user is erased, checking an event costs nothing;
/// then each event's user id is hashed once (SHA-256).
/// </summary>
internal sealed class ErasedUsers(ILakeStorage storage)
{
    private readonly DeltaLog _log = new(storage, LakeTables.Erasures.Name);
    private volatile FrozenSet<UserHash> _users = FrozenSet<UserHash>.Empty;
    private DeltaSnapshot? _snapshot;

    public int Count => _users.Count;

    /// <summary>Whether the user (UTF-8) is erased.</summary>
    public bool Contains(ReadOnlySpan<byte> userIdUtf8)
    {
        var users = _users;
        return users.Count > 0 && users.Contains(UserHash.Of(userIdUtf8));
    }

    public bool Contains(string userId)
    {
        var users = _users;
        return users.Count > 0 && users.Contains(UserHash.Of(System.Text.Encoding.UTF8.GetBytes(userId)));
    }

    /// <summary>Reads the list again if the table has a new version (a probe for the next version otherwise). One caller at a time.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        DeltaSnapshot? snapshot;
        try
        {
            snapshot = _snapshot is null ? await _log.ReadAsync(cancellationToken: cancellationToken) : await _log.RefreshAsync(_snapshot, cancellationToken);
        }
        catch (DeltaTableException e) when (e.Failure == DeltaReadFailure.NotATable)
        {
            return;
        }

        if (snapshot.Version == _snapshot?.Version)
        {
            return;
        }

        var users = new HashSet<UserHash>();
        foreach (var file in snapshot.Files)
        {
            await StoredRows.ForEachAsync(storage, LakeTables.Erasures.Name, file, async rows =>
            {
                foreach (var hash in await rows.StringsAsync("user_hash", cancellationToken))
                {
                    if (UserHash.Parse(hash) is { } user)
                    {
                        users.Add(user);
                    }
                }
            }, cancellationToken);
        }

        _users = users.ToFrozenSet();
        _snapshot = snapshot;
    }
}
