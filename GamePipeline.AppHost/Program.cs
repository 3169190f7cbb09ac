using GamePipeline.AppHost;
using GamePipeline.Contracts;

var builder = DistributedApplication.CreateBuilder(args)
    .RunProjectsFromTheirBuildOutput()
    .ServeProjectsOverPlainHttp();
var settings = PipelineSettings.From(builder.Configuration);

// Infrastructure (Pipeline:Topology: embedded in this process, containers, or external clusters)
var kafka = builder.AddPipelineKafka(settings);
var storage = builder.AddPipelineStorage(settings);

// One-shot jobs
var catalogSetup = builder.AddProject<Projects.CatalogSetup>(ResourceNames.CatalogSetup)
    .WithLake(storage)
    .WithCatalog(storage)
    .WithEnvironment(PipelineResources.EngineLakeLocationVariable, storage.EngineLakeLocation);

// Services
builder.AddProject<Projects.GameApi>(ResourceNames.GameApi)
    .WithFixedHttpPort(settings.Ports.GameApi)
    .WithReference(kafka).WaitFor(kafka)
    .WithRetentionOf(kafka);

builder.AddProject<Projects.StreamWriter>(ResourceNames.StreamWriter)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(kafka).WaitFor(kafka)
    .WithBatchesWithinRetentionOf(kafka)
    .WithLake(storage);

builder.AddProject<Projects.AnalyticsApi>(ResourceNames.AnalyticsApi)
    .WithFixedHttpPort(settings.Ports.AnalyticsApi)
    .WithCatalog(storage)
    .WithLake(storage)
    .WaitForCompletion(catalogSetup);

builder.Build().Run();
