using CatalogSetup;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddCatalogSetup();

using var host = builder.Build();
return await host.RunCatalogSetupAsync();
