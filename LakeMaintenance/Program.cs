using LakeMaintenance;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLakeMaintenance();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
