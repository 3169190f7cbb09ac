using CatalogSetup;
using GameApi.Ingest;
using GamePipeline.Contracts;
using Microsoft.Extensions.Configuration;
using StreamWriter;

namespace GamePipeline.Tests.AppHost;

/// <summary>The keys the AppHost sets (<see cref="ServiceSettings"/>) are the ones the services' options bind.</summary>
public sealed class ServiceSettingsTests
{
    [Fact]
    public void Each_key_the_apphost_sets_through_the_environment_reaches_the_services_options()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ServiceSettings.CatalogSetupLakeLocation] = "hdfs://namenode:8020/lake",
            [ServiceSettings.RetentionBytes] = "1000",
            [ServiceSettings.RetentionBatches] = "10",
            [ServiceSettings.FlushMaxBytes] = "250",
        }).Build();

        Assert.Equal("hdfs://namenode:8020/lake", configuration.GetSection(CatalogSetupOptions.Section).Get<CatalogSetupOptions>()!.LakeLocation);
        var backpressure = configuration.GetSection(BackpressureOptions.Section).Get<BackpressureOptions>()!;
        Assert.Equal(1000, backpressure.RetentionBytes);
        Assert.Equal(10, backpressure.RetentionBatches);
        Assert.Equal(250, configuration.GetSection(StreamWriterOptions.Section).Get<StreamWriterOptions>()!.FlushMaxBytes);
        Assert.Equal("CatalogSetup__LakeLocation", ServiceSettings.EnvironmentVariable(ServiceSettings.CatalogSetupLakeLocation));
    }
}
