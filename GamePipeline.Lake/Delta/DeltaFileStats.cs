using System.Globalization;
using System.Text.Json.Nodes;

namespace GamePipeline.Lake.Delta;

/// <summary>
/// A data file's statistics as the Delta log records them in its <c>add</c> (PROTOCOL.md, "Per-file Statistics"):
/// the row count, and per column the minimum, maximum and number of nulls, which engines use to skip files.
/// </summary>
public sealed class DeltaFileStats(long rows)
{
    /// <summary>Text statistics hold at most this many characters (Spark's default prefix length).</summary>
    public const int MaxTextLength = 32;

    private readonly JsonObject _min = [];
    private readonly JsonObject _max = [];
    private readonly JsonObject _nulls = [];

    public void Add(string column, JsonNode? min, JsonNode? max, long nulls)
    {
        if (min is not null)
        {
            _min[column] = min;
        }

        if (max is not null)
        {
            _max[column] = max;
        }

        _nulls[column] = nulls;
    }

    /// <summary>The row count a file's statistics (its <c>add</c>'s <c>stats</c>) claim, if they say.</summary>
    public static long? Records(string? stats)
    {
        if (stats is not { Length: > 0 })
        {
            return null;
        }

        using var json = System.Text.Json.JsonDocument.Parse(stats);
        return json.RootElement.TryGetProperty("numRecords", out var records) && records.TryGetInt64(out var count) ? count : null;
    }

    public string ToJson() => new JsonObject { ["numRecords"] = rows, ["minValues"] = _min, ["maxValues"] = _max, ["nullCount"] = _nulls }.ToJsonString();

    /// <summary>Times as the protocol writes them (ISO-8601 in UTC, milliseconds: what the files store); numbers as numbers.</summary>
    public static JsonNode Value<T>(T value) where T : struct => value switch
    {
        DateTime time => JsonValue.Create(time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        _ => throw new NotSupportedException($"No statistics for {typeof(T)}"),
    };

    /// <summary>A prefix of a text is no larger than the text: a longer minimum is cut short and stays a lower bound.</summary>
    public static JsonNode Min(ReadOnlySpan<char> text) => JsonValue.Create(text[..SafeLength(text)].ToString());

    /// <summary>A prefix is no upper bound: a maximum too long to record is left out (readers then skip nothing by it).</summary>
    public static JsonNode? Max(ReadOnlySpan<char> text) => text.Length <= MaxTextLength ? JsonValue.Create(text.ToString()) : null;

    /// <summary>
    /// Orders texts by code point, the order of their UTF-8 bytes that readers compare statistics in. UTF-16 order
    /// differs only where one text has a surrogate pair and the other a character from U+E000 to U+FFFF: a pair
    /// stands for a code point above both.
    /// </summary>
    public static int CompareText(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var common = a.CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length.CompareTo(b.Length);
        }

        return CodePointRank(a[common]).CompareTo(CodePointRank(b[common]));
    }

    // Surrogates (U+D800-U+DFFF) move above U+E000-U+FFFF; below U+D800 UTF-16 order is code point order already.
    private static int CodePointRank(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };

    // Never cuts a surrogate pair in two.
    private static int SafeLength(ReadOnlySpan<char> text) =>
        text.Length <= MaxTextLength ? text.Length : char.IsHighSurrogate(text[MaxTextLength - 1]) ? MaxTextLength - 1 : MaxTextLength;
}
