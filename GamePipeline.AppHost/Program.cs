using GamePipeline.AppHost;
using GamePipeline.Contracts;

var builder = DistributedApplication.CreateBuilder(args);
var settings = PipelineSettings.From(builder.Configuration);

// Infrastructure
var kafka = builder.AddPipelineKafka(settings);
var (lake, catalog) = builder.AddPipelineStorage(settings);

// One-shot jobs
var catalogSetup = builder.AddProject<Projects.CatalogSetup>(ResourceNames.CatalogSetup)
    .WithReference(lake)
    .WithReference(catalog);

// Services
builder.AddProject<Projects.GameApi>(ResourceNames.GameApi)
    .WithFixedHttpPort(settings.Ports.GameApi)
    .WithReference(kafka).WaitFor(kafka);

builder.AddProject<Projects.StreamWriter>(ResourceNames.StreamWriter)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(kafka).WaitFor(kafka)
    .WithReference(lake);

builder.AddProject<Projects.AnalyticsApi>(ResourceNames.AnalyticsApi)
    .WithFixedHttpPort(settings.Ports.AnalyticsApi)
    .WithReference(catalog)
    .WithReference(lake)
    .WaitForCompletion(catalogSetup);

builder.Build().Run();
