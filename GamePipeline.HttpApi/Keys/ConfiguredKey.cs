using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using GamePipeline.Contracts;

namespace GamePipeline.HttpApi.Keys;

/// <summary>
/// A key as configuration holds it: the name it stands for (a write key's source, a reader key's owner), the
/// SHA-256 of the key (never the key itself) and, for reader keys, its scopes. Create one with
/// <c>bash scripts/keys.sh new NAME</c>.
/// </summary>
public sealed class ConfiguredKey
{
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", ErrorMessage = "A key's name is 1 to 64 letters, digits, '.', '_' or '-'.")]
    public string Name { get; set; } = "";

    [Required]
    [RegularExpression("^sha256:[0-9a-f]{64}$", ErrorMessage = "A key's hash is 'sha256:' and 64 lower-case hex digits (scripts/keys.sh prints it).")]
    public string Hash { get; set; } = "";

    /// <summary>What the key may do (reader keys: <c>read</c>, <c>admin</c>).</summary>
    public string[] Scopes { get; set; } = [];

    /// <summary>How configuration holds <paramref name="key"/>: <c>sha256:</c> and the hex of its UTF-8's SHA-256.</summary>
    public static string HashOf(string key) => Sha256Text.Of(key);

    /// <summary>What is wrong with each of <paramref name="keys"/> (configuration <c>{section}:Keys:{i}</c>).</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<ConfiguredKey> keys, string section)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(keys[i], new ValidationContext(keys[i]), results, validateAllProperties: true))
            {
                foreach (var result in results)
                {
                    yield return $"{section}:Keys:{i}: {result.ErrorMessage}";
                }
            }
        }
    }
}

/// <summary>
/// The configured keys, ready to check a presented key against: its SHA-256 is compared with every configured hash
/// in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>), all of them whether one matched or not,
/// so neither the time nor the order of the keys tells how close a guess came. Keys are random and long (scripts/keys.sh:
/// 256 bits), so one fast hash is what they need — a password hash's slowness protects guessable secrets.
/// </summary>
public sealed class KeyRing(IEnumerable<ConfiguredKey> keys)
{
    private readonly (ConfiguredKey Key, byte[] Hash)[] _keys = [.. keys.Select(k => (k, Convert.FromHexString(k.Hash[Sha256Text.Prefix.Length..])))];

    public int Count => _keys.Length;

    public IEnumerable<string> Names => _keys.Select(k => k.Key.Name).Distinct();

    /// <summary>The configured key <paramref name="presented"/> is, or null.</summary>
    public ConfiguredKey? Find(string presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        ConfiguredKey? found = null;
        foreach (var (key, expected) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = key;
            }
        }

        return found;
    }
}
