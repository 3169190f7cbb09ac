using System.Globalization;
using GamePipeline.Hosting.Kafka;

// A standalone embedded Kafka for benchmarks, so the broker does not share a process with what is measured.
// usage: BenchKafka [port=9092] [topic:partitions ...]   (stops on Ctrl+C or SIGTERM)
var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9092;
var topics = args.Skip(1)
    .Select(a => a.Split(':'))
    .Select(p => new EmbeddedKafkaTopic(p[0], p.Length > 1 ? int.Parse(p[1], CultureInfo.InvariantCulture) : 4))
    .ToList();

await using var kafka = EmbeddedKafkaServer.Start(port, topics: topics);
Console.WriteLine($"kafka ready at {kafka.BootstrapServers} (brokers {kafka.BrokerAddresses}); topics: {string.Join(", ", topics)}");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
