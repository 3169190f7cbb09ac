// The ceiling for GameApi: the same route and body on Kestrel, with no Kafka, telemetry or event work.
var app = WebApplication.CreateSlimBuilder(args).Build();
app.MapGet("/purchase_a_sword", () => TypedResults.Text("You Purchased a Sword!\n", "text/plain; charset=utf-8"));
app.Run();
