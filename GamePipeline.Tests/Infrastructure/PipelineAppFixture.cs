using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using GamePipeline.Contracts;

namespace GamePipeline.Tests;

/// <summary>
/// The whole embedded pipeline, started once per test collection through the real AppHost. Ports are chosen
/// freely so a developer's running pipeline (localhost:9092, :5000, :5100) does not collide with the tests.
/// </summary>
public sealed class PipelineAppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public DistributedApplication App { get; private set; } = null!;

    public string KafkaBootstrap { get; private set; } = "";

    /// <summary>A lake of the test run's own.</summary>
    public string LakePath { get; } = Directory.CreateTempSubdirectory("gamepipeline-lake-").FullName;

    public async ValueTask InitializeAsync()
    {
        App = await InProcessHosts.StartAsync(async () =>
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.GamePipeline_AppHost>(
                ["--Pipeline:Kafka:Port=0", "--Pipeline:Ports:GameApi=0", "--Pipeline:Ports:AnalyticsApi=0", $"--Pipeline:Lake:Path={LakePath}"],
                (options, _) => options.DisableDashboard = true);
            return await builder.BuildAsync();
        });

        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Kafka, timeout.Token);
        KafkaBootstrap = await App.GetConnectionStringAsync(ResourceNames.Kafka, timeout.Token)
            ?? throw new InvalidOperationException("The kafka resource has no connection string");
    }

    public async Task WaitHealthyAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    public async Task<ResourceEvent> WaitForStateAsync(string resource, string state)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        return await App.ResourceNotifications.WaitForResourceAsync(resource, e => e.Snapshot.State?.Text == state, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        Directory.Delete(LakePath, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class PipelineAppCollection : ICollectionFixture<PipelineAppFixture>
{
    public const string Name = "pipeline app";
}
