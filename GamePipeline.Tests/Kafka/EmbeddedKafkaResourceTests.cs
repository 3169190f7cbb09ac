using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GamePipeline.Tests.Kafka;

public sealed class EmbeddedKafkaResourceTests
{
    [Fact]
    public async Task An_embedded_kafka_that_cannot_start_fails_on_the_dashboard_and_names_the_other_topologies()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        var lake = Directory.CreateTempSubdirectory("gamepipeline-lake-").FullName;
        await using var app = await InProcessHosts.StartAsync(async () =>
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.GamePipeline_AppHost>(
                [$"--Pipeline:Kafka:Port={port}", "--Pipeline:Ports:GameApi=0", "--Pipeline:Ports:AnalyticsApi=0", $"--Pipeline:Lake:Path={lake}"],
                (options, _) => options.DisableDashboard = true);
            var built = await builder.BuildAsync();
            await built.StartAsync();
            return built;
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.ResourceNotifications.WaitForResourceAsync("kafka", KnownResourceStates.FailedToStart, timeout.Token);
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        var lines = new List<string>();
        await foreach (var batch in logs.WatchAsync("kafka").WithCancellation(timeout.Token))
        {
            lines.AddRange(batch.Select(line => line.Content));
            if (lines.Any(line => line.Contains("--Pipeline:Topology=containers", StringComparison.Ordinal)))
            {
                break;
            }
        }

        Assert.Contains(lines, line => line.Contains($"could not start on localhost:{port}", StringComparison.Ordinal));
        Directory.Delete(lake, recursive: true);
    }
}
