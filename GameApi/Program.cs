using GameApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGameApi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGameApi();
app.Run();

