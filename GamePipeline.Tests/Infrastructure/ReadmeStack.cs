using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GamePipeline.Tests;

/// <summary>
/// The README's run command, <c>dotnet run --project GamePipeline.AppHost</c>, as a user starts it: its launch profile,
/// its dashboard on the profile's ports. Only what would collide with a pipeline the developer runs is its own: a lake
/// of its own, and Kafka, GameApi and AnalyticsApi on free ports. Stopped as Ctrl+C stops it.
/// </summary>
public sealed partial class ReadmeStack : IAsyncDisposable
{
    private readonly Process _dotnetRun;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _lake = Directory.CreateTempSubdirectory("gamepipeline-readme-").FullName;

    private ReadmeStack()
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "run", "--project", "GamePipeline.AppHost", "--no-build", "-c", Repository.Configuration, "--",
            $"--Pipeline:Lake:Path={_lake}", "--Pipeline:Kafka:Port=0", "--Pipeline:Ports:GameApi=0", "--Pipeline:Ports:AnalyticsApi=0"])
        {
            startInfo.ArgumentList.Add(argument);
        }

        _dotnetRun = Process.Start(startInfo) ?? throw new InvalidOperationException("dotnet run did not start");
        _dotnetRun.OutputDataReceived += (_, e) => Keep(e.Data);
        _dotnetRun.ErrorDataReceived += (_, e) => Keep(e.Data);
        _dotnetRun.BeginOutputReadLine();
        _dotnetRun.BeginErrorReadLine();
    }

    /// <summary>Everything the command printed so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The dashboard's login link, as the AppHost prints it at start-up.</summary>
    public Uri DashboardLogin { get; private set; } = null!;

    public static async Task<ReadmeStack> StartAsync()
    {
        var stack = new ReadmeStack();
        try
        {
            await Eventually.TrueAsync(
                () => stack._output.Any(line => LoginLine().IsMatch(line)) || stack._dotnetRun.HasExited,
                TimeSpan.FromMinutes(3),
                () => $"no dashboard login link in the output:\n{stack.Output}");
            if (stack._dotnetRun.HasExited)
            {
                Assert.Fail($"dotnet run ended with {stack._dotnetRun.ExitCode}:\n{stack.Output}");
            }

            stack.DashboardLogin = new Uri(stack._output.Select(line => LoginLine().Match(line)).First(m => m.Success).Groups["url"].Value);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>SIGTERM to the AppHost (the child of <c>dotnet run</c>), which stops every resource, as Ctrl+C does.</summary>
    public async ValueTask DisposeAsync()
    {
        var parent = _dotnetRun.Id.ToString(CultureInfo.InvariantCulture);
        await ExternalProcess.RunAsync("pkill", ["-TERM", "-P", parent], TimeSpan.FromSeconds(10));
        using var stopped = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await _dotnetRun.WaitForExitAsync(stopped.Token);
        }
        catch (OperationCanceledException)
        {
            _dotnetRun.Kill(entireProcessTree: true);
        }

        _dotnetRun.Dispose();
        Directory.Delete(_lake, recursive: true);
    }

    [GeneratedRegex(@"Login to the dashboard at (?<url>http://\S+)")]
    private static partial Regex LoginLine();
}
