using AnalyticsApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAnalyticsApi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAnalyticsApi();
app.Run();
