using System.Text.Json;

namespace GameApi.Endpoints;

/// <summary>
/// Finds text a JSON document may carry but no event can: a <c>\uD800</c>–<c>\uDFFF</c> escape without its pair
/// parses as JSON, yet is no Unicode character and cannot be written out again as UTF-8.
/// </summary>
public static class UnicodeText
{
    /// <summary>The path of the first property name or string value that is not valid Unicode, or null.</summary>
    public static string? FirstInvalid(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsValid(element.GetString) ? null : path;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsValid(() => property.Name))
                    {
                        // The name itself cannot be shown: it is the invalid text.
                        return $"{path}.<name>";
                    }

                    if (FirstInvalid(property.Value, $"{path}.{property.Name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstInvalid(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Whether the text is whole Unicode: no unpaired surrogate.</summary>
    public static bool IsValid(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValid(Func<string?> read)
    {
        try
        {
            return read() is not { } text || IsValid(text);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to unescape an unpaired surrogate.
            return false;
        }
    }
}
