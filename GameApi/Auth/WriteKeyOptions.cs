using GamePipeline.HttpApi.Keys;
using Microsoft.Extensions.Options;

namespace GameApi.Auth;

/// <summary>
/// Section <c>WriteKeys</c>: who may send events. A write key names a source (a game build, a server); requests send
/// it as the user name of <c>Authorization: Basic</c> with no password, and every event of the request carries the
/// source as <c>sender</c>. Configuration holds each key's SHA-256, never the key (docs/security.md).
/// </summary>
public sealed class WriteKeyOptions
{
    public const string Section = "WriteKeys";

    /// <summary>
    /// Whether a request without a key is refused (401). Off only where every client is trusted (the embedded
    /// <c>dotnet run</c> on a laptop); a key that is sent is checked either way.
    /// </summary>
    public bool Required { get; set; } = true;

    public List<ConfiguredKey> Keys { get; set; } = [];
}

/// <summary>Each key valid on its own, and at least one key when keys are required (else nothing could be sent at all).</summary>
public sealed class WriteKeyOptionsValidation : IValidateOptions<WriteKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, WriteKeyOptions options)
    {
        var failures = new List<string>();
        if (options.Required && options.Keys.Count == 0)
        {
            failures.Add("WriteKeys:Required is true but no write key is configured: add WriteKeys:Keys:0:Name and WriteKeys:Keys:0:Hash (bash scripts/keys.sh new SOURCE prints them), or set WriteKeys:Required=false where every client is trusted.");
        }

        failures.AddRange(ConfiguredKey.Problems(options.Keys, WriteKeyOptions.Section));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
