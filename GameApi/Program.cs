using GameApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGameApi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGameApi();
app.Run();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
