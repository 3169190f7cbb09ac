using GamePipeline.HttpApi.Keys;

namespace GamePipeline.Tests.Keys;

/// <summary><c>scripts/keys.sh</c>, as an operator runs it: what it prints is what the services accept.</summary>
public sealed class KeysScriptTests
{
    private static Task<ProcessResult> KeysAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("bash", [Path.Combine(Repository.Root, "scripts", "keys.sh"), .. arguments], TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_new_key_is_random_and_its_printed_hash_is_the_one_the_services_compute()
    {
        var first = await KeysAsync("new", "ios-app");
        var second = await KeysAsync("new", "ios-app");

        Assert.True(first.ExitCode == 0, first.StandardError);
        var lines = first.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var key = lines[0].Split(' ')[^1];
        var hash = lines[2].Split(' ')[^1];
        Assert.StartsWith("gp_", key, StringComparison.Ordinal);
        Assert.Equal(46, key.Length);
        Assert.Equal(ConfiguredKey.HashOf(key), hash);
        Assert.Equal(hash, (await KeysAsync("hash", key)).StandardOutput.Trim());
        Assert.NotEqual(key, second.StandardOutput.Split('\n')[0].Split(' ')[^1]);
        var ring = new KeyRing([new ConfiguredKey { Name = "android-app", Hash = ConfiguredKey.HashOf("gp_other") }, new ConfiguredKey { Name = "ios-app", Hash = hash }]);
        Assert.Equal("ios-app", ring.Find(key)?.Name);
        Assert.Null(ring.Find(key[..^1]));
    }

    [Fact]
    public async Task A_name_services_would_refuse_is_refused_here_first()
    {
        var result = await KeysAsync("new", "no spaces");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("NAME", result.StandardError, StringComparison.Ordinal);
    }
}
