using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamWriter;

namespace GamePipeline.Testing;

/// <summary>Settings every test writer shares: short flushes; the tests' Kafka gives them a short session so rebalances are quick.</summary>
public static class WriterSettings
{
    /// <summary>The group session timeout of the tests' embedded Kafka.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(3);

    public static Dictionary<string, string?> For(string bootstrapServers, string lake, string writerId) => new()
    {
        ["ConnectionStrings:kafka"] = bootstrapServers,
        ["ConnectionStrings:lake"] = lake,
        ["StreamWriter:WriterId"] = writerId,
        ["StreamWriter:FlushInterval"] = "00:00:00.300",
        ["StreamWriter:MaxEventBytes"] = "4096",
        // Few enough that a backlog over a test topic's partitions is read in groups (pausing and resuming
        // partitions across the tests' kills and rebalances).
        ["StreamWriter:BacklogReadPartitions"] = "2",
        ["Logging:LogLevel:Default"] = "Warning",
    };
}

/// <summary>A StreamWriter inside the test process (same code as the service, its own host).</summary>
public sealed class WriterHost(IHost host) : IAsyncDisposable
{
    /// <param name="settings">Settings of this test's own, over <see cref="WriterSettings"/>.</param>
    public static Task<WriterHost> StartAsync(string bootstrapServers, string lake, string writerId, IReadOnlyDictionary<string, string?>? settings = null) =>
        InProcessHosts.StartAsync(() => StartUnsharedAsync(bootstrapServers, lake, writerId, settings ?? new Dictionary<string, string?>()));

    private static async Task<WriterHost> StartUnsharedAsync(string bootstrapServers, string lake, string writerId, IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(WriterSettings.For(bootstrapServers, lake, writerId));
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddStreamWriter();
        var host = builder.Build();
        await host.StartAsync();
        return new WriterHost(host);
    }

    public IServiceProvider Services => host.Services;

    public Task StopAsync() => host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}

/// <summary>The StreamWriter service as a real OS process, to be killed with SIGKILL.</summary>
public sealed class WriterProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    private WriterProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
            while (_output.Count > 200 && _output.TryDequeue(out _))
            {
            }
        }
    }

    /// <param name="settings">Settings of this test's own, over <see cref="WriterSettings"/> (a null value removes one).</param>
    public static WriterProcess Start(string bootstrapServers, string lake, string writerId, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var startInfo = new ProcessStartInfo("dotnet", [Repository.ServiceAssembly("StreamWriter")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var all = WriterSettings.For(bootstrapServers, lake, writerId);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        foreach (var (key, value) in all.Where(s => s.Value is not null))
        {
            startInfo.Environment[key.Replace(":", "__")] = value;
        }

        startInfo.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        return new WriterProcess(Process.Start(startInfo) ?? throw new InvalidOperationException("StreamWriter did not start"));
    }

    /// <summary>The last lines the writer logged.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>SIGSTOP: the process stays, does nothing (no heartbeats, no commits) until it is killed.</summary>
    public async Task PauseAsync()
    {
        using var stop = Process.Start("kill", ["-STOP", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await stop.WaitForExitAsync();
    }

    /// <summary>Waits for the writer to exit by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The writer exited by itself (code {_process.ExitCode}):\n{string.Join('\n', _output)}");
        }

        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the writer commits what it holds and leaves the group.</summary>
    public async Task StopAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
