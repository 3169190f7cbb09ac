using System.Diagnostics;
using System.Net;
using System.Net.Sockets;


namespace GamePipeline.Tests.Analytics;

/// <summary>AnalyticsApi as its own process (its memory alone is measured), over the fixture's lake and catalog.</summary>
[Collection(AnalyticsCollection.Name)]
public sealed class AnalyticsMemoryTests(AnalyticsFixture analytics, ITestOutputHelper output)
{
    /// <summary>Every endpoint, good and bad: unknown tables, parameters that do not bind or are out of range, odd paths.</summary>
    private static readonly string[] Probes =
    [
        "/api/tables", "/api/tables/sword_purchases/columns", "/api/tables/join_guilds/count", "/api/tables/default_events/hosts",
        "/api/tables/bad_events/count", "/api/tables/no_such_table/count", "/api/tables/%27%3B%20DROP%20TABLE%20x%3B--/hosts",
        $"/api/tables/{new string('t', 2_000)}/columns", "/api/users/top", "/api/users/top?limit=abc", "/api/users/top?limit=-5",
        "/api/users/top?limit=100000", "/api/user-agents?limit=3", "/api/events/per-minute?minutes=lots", "/api/events/per-minute?minutes=60",
        "/api/funnel/guild-to-sword", "/report", "/openapi/v1.json", "/docs", "/health", "/no/such/route", "/api/tables/sword_purchases/hosts?x=" + new string('y', 4_000),
    ];

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static long ResidentBytes(Process process) =>
        File.ReadLines($"/proc/{process.Id}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024).Single();

    private static bool Healthy(HttpClient client)
    {
        try
        {
            return client.GetAsync("/health").GetAwaiter().GetResult().IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Repeated_probe_batteries_leave_analyticsapi_memory_level()
    {
        var port = FreePort();
        var startInfo = new ProcessStartInfo("dotnet", [Repository.ServiceAssembly("AnalyticsApi")]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.Environment["ConnectionStrings__lake"] = analytics.Lake;
        startInfo.Environment["ConnectionStrings__catalog"] = analytics.Catalog;
        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        startInfo.Environment["ReaderKeys__AllowAnonymousOnLoopback"] = "true";
        startInfo.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(startInfo)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.TrueAsync(() => Healthy(client), TimeSpan.FromSeconds(60), () => "AnalyticsApi did not start");

            var rounds = new List<long>();
            for (var round = 0; round < 12; round++)
            {
                for (var repeat = 0; repeat < 15; repeat++)
                {
                    foreach (var probe in Probes)
                    {
                        using var response = await client.GetAsync(probe);
                        Assert.True((int)response.StatusCode < 500, $"{probe} answered {response.StatusCode}");
                    }
                }

                rounds.Add(ResidentBytes(process));
            }

            output.WriteLine($"RSS after each battery of {15 * Probes.Length} requests: {string.Join(", ", rounds.Select(r => $"{r / (1024 * 1024)} MB"))}");
            // Caches, pools and the JIT fill in the first rounds, and the GC lets the heap breathe; after that the
            // process must level off: the last four batteries peak no higher than the four before them, give or take.
            var (middle, last) = (rounds[4..8].Max(), rounds[8..].Max());
            Assert.True(last - middle < 16L * 1024 * 1024, $"RSS kept growing: peak {middle / (1024 * 1024)} MB in batteries 5–8, {last / (1024 * 1024)} MB in 9–12");
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }
}
