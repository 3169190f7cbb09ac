using GamePipeline.HttpApi.Keys;

namespace GamePipeline.Testing;

/// <summary>Keys the tests configure (as their hashes, as production does) and send (in plain).</summary>
public static class TestKeys
{
    public const string WriteAlpha = "gp_test_write_alpha_5b0d1f0e9c2a4e7d8f6a3b1c";
    public const string WriteBeta = "gp_test_write_beta_7e4c2a9d1b3f5e8a0c6d4b2f";
    public const string Reader = "gp_test_reader_2f9a7c5e3b1d8f6a4c2e0b9d";
    public const string Admin = "gp_test_admin_8c6a4e2f0d9b7c5a3e1f8d6b";

    /// <summary>GameApi's write keys: sources <c>alpha</c> and <c>beta</c>.</summary>
    public static Dictionary<string, string?> WriteKeySettings(bool required) => new()
    {
        ["WriteKeys:Required"] = required ? "true" : "false",
        ["WriteKeys:Keys:0:Name"] = "alpha",
        ["WriteKeys:Keys:0:Hash"] = ConfiguredKey.HashOf(WriteAlpha),
        ["WriteKeys:Keys:1:Name"] = "beta",
        ["WriteKeys:Keys:1:Hash"] = ConfiguredKey.HashOf(WriteBeta),
    };

    /// <summary>AnalyticsApi's reader keys: <c>reader</c> (scope read) and <c>admin</c> (read, admin); no anonymous loopback.</summary>
    public static Dictionary<string, string?> ReaderKeySettings() => new()
    {
        ["ReaderKeys:AllowAnonymousOnLoopback"] = "false",
        ["ReaderKeys:Keys:0:Name"] = "reader",
        ["ReaderKeys:Keys:0:Hash"] = ConfiguredKey.HashOf(Reader),
        ["ReaderKeys:Keys:0:Scopes:0"] = "read",
        ["ReaderKeys:Keys:1:Name"] = "admin",
        ["ReaderKeys:Keys:1:Hash"] = ConfiguredKey.HashOf(Admin),
        ["ReaderKeys:Keys:1:Scopes:0"] = "read",
        ["ReaderKeys:Keys:1:Scopes:1"] = "admin",
    };

    /// <summary><c>Authorization: Basic</c> with a write key as the user name (Segment's form; <c>curl -u KEY:</c>).</summary>
    public static System.Net.Http.Headers.AuthenticationHeaderValue Basic(string user, string password = "") =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static System.Net.Http.Headers.AuthenticationHeaderValue Bearer(string key) => new("Bearer", key);
}
