using GamePipeline.AppHost;
using GamePipeline.Contracts;

var builder = DistributedApplication.CreateBuilder(args)
    .RunProjectsFromTheirBuildOutput()
    .ServeProjectsOverPlainHttp();
var settings = PipelineSettings.From(builder.Configuration);

// Infrastructure (Pipeline:Topology: embedded in this process, containers, or external clusters)
var infrastructure = builder.AddPipelineInfrastructure(settings);
var kafka = infrastructure.Kafka;

// One-shot jobs
var catalogSetup = builder.AddProject<Projects.CatalogSetup>(ResourceNames.CatalogSetup)
    .WithLake(infrastructure)
    .WithCatalog(infrastructure)
    .WithEngineLakeLocation(infrastructure);

// Services
builder.AddProject<Projects.GameApi>(ResourceNames.GameApi)
    .WithFixedHttpPort(settings.Ports.GameApi)
    .WithReference(kafka).WaitFor(kafka)
    .WithRetentionOf(kafka)
    .WithWriteKeys(settings);

builder.AddProject<Projects.StreamWriter>(ResourceNames.StreamWriter)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(kafka).WaitFor(kafka)
    .WithBatchesWithinRetentionOf(kafka)
    .WithLake(infrastructure);

builder.AddProject<Projects.LakeMaintenance>(ResourceNames.LakeMaintenance)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithLake(infrastructure)
    .WaitForCompletion(catalogSetup);

builder.AddProject<Projects.AnalyticsApi>(ResourceNames.AnalyticsApi)
    .WithFixedHttpPort(settings.Ports.AnalyticsApi)
    .WithReaderKeys(settings)
    .WithCatalog(infrastructure)
    .WithLake(infrastructure)
    .WaitForCompletion(catalogSetup);

builder.Build().Run();
