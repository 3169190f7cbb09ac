using StreamWriter;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddStreamWriter();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
