using System.Security.Cryptography;
using System.Text;

namespace GameApi.Ingest;

/// <summary>
/// The <c>Idempotency-Key</c> request header (IETF draft "The Idempotency-Key HTTP Header Field"): a client's name
/// for a request it may send again. The events of a request with a key get ids derived from the user, the key and
/// their place in the request, so a retry carries the same ids, gets the same answer, and is written to the lake once.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";

    public const int MaxLength = 255;

    // The UUID namespace of event ids derived from idempotency keys (RFC 9562 §5.5, name-based with SHA-1).
    private static readonly Guid Namespace = new("6f1d2a90-5b7e-4c3a-9d8e-2b4f6a1c7e35");

    /// <summary>
    /// The request's key: null when it sent none; a problem when the header is repeated, empty, longer than
    /// <see cref="MaxLength"/> or not printable ASCII. The draft's form is a structured-field string
    /// (<c>"8e03978e-40d5-43e8-bc93-6894a57f9324"</c>); a bare token (without the quotes) is taken as the same key.
    /// </summary>
    public static (string? Key, string? Problem) Read(HttpRequest request)
    {
        var values = request.Headers[Header];
        if (values.Count == 0)
        {
            return (null, null);
        }

        if (values.Count > 1)
        {
            return (null, $"Send one {Header} header, not {values.Count}.");
        }

        var raw = values[0] ?? "";
        var key = raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"' ? Unquote(raw[1..^1]) : raw.Contains('"') ? null : raw;
        if (key is null || key.Length == 0 || key.Length > MaxLength || key.Any(c => c is < ' ' or > '~'))
        {
            return (null, $"{Header} must be 1 to {MaxLength} printable ASCII characters (a UUID is a good key), optionally in double quotes.");
        }

        return (key, null);
    }

    /// <summary>The id of the event at <paramref name="index"/> of a request with <paramref name="key"/>: a UUIDv5 of the user, key and index.</summary>
    public static Guid EventId(string userId, string key, int index)
    {
        var name = Encoding.UTF8.GetBytes($"{userId}\n{key}\n{index}");
        var input = new byte[16 + name.Length];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input, 16);
        var hash = SHA1.HashData(input);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>A structured-field string's content: <c>\"</c> and <c>\\</c> unescaped; null for any other escape.</summary>
    private static string? Unquote(string quoted)
    {
        if (!quoted.Contains('\\'))
        {
            return quoted.Contains('"') ? null : quoted;
        }

        var text = new StringBuilder(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            if (quoted[i] == '"')
            {
                return null;
            }

            if (quoted[i] == '\\')
            {
                if (++i == quoted.Length || quoted[i] is not ('"' or '\\'))
                {
                    return null;
                }
            }

            text.Append(quoted[i]);
        }

        return text.ToString();
    }
}
