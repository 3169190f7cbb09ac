using System.Security.Cryptography;
using System.Text;

namespace GamePipeline.Contracts;

/// <summary>
/// How the project writes a secret or personal text it must recognise without keeping it: <c>sha256:</c> and the
/// lower-case hex of its UTF-8's SHA-256 — a configured key's hash, an erased user in table <c>erasures</c>.
/// </summary>
public static class Sha256Text
{
    public const string Prefix = "sha256:";

    public static string Of(string text) => Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
