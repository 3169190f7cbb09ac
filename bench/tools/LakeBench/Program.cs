using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using DuckDB.NET.Data;
using GamePipeline.Contracts;

// Benchmark driver for the StreamWriter (bench/writer/run.sh):
//   fill BOOTSTRAP TOPIC N               produce N contract-valid events as fast as Kafka takes them
//   consume BOOTSTRAP TOPIC N            the ceiling: a raw consume loop that writes nothing
//   wait-lake LAKE N                     until the lake's commit log holds N records; prints the rate
//   freshness BOOTSTRAP TOPIC LAKE RATE SECONDS   produce RATE events/s, watch files appear, print p50/p95
return args switch
{
    ["fill", var bootstrap, var topic, var n] => await Fill(bootstrap, topic, Int(n)),
    ["consume", var bootstrap, var topic, var n] => Consume(bootstrap, topic, Int(n)),
    ["wait-lake", var lake, var n] => await WaitLake(lake, Int(n)),
    ["freshness", var bootstrap, var topic, var lake, var rate, var seconds] => await Freshness(bootstrap, topic, lake, Int(rate), Int(seconds)),
    _ => Usage(),
};

static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

static int Usage()
{
    Console.Error.WriteLine("usage: LakeBench fill|consume|wait-lake|freshness … (see Program.cs)");
    return 2;
}

static GameEventEnvelope Event(int n) => new()
{
    EventId = Guid.CreateVersion7(),
    EventType = GameEventTypes.All[n % 3],
    ReceivedAt = DateTimeOffset.UtcNow,
    UserId = $"user{n % 1000}.example.com",
    Source = EventSources.Route,
    Host = $"user{n % 1000}.example.com",
    UserAgent = "ApacheBench/2.3",
    Accept = "*/*",
    Headers = new Dictionary<string, string> { ["Host"] = $"user{n % 1000}.example.com", ["User-Agent"] = "ApacheBench/2.3", ["Accept"] = "*/*" },
};

static Message<string, byte[]> Message(GameEventEnvelope e) =>
    new() { Key = e.UserId, Value = JsonSerializer.SerializeToUtf8Bytes(e, ContractsJsonContext.Default.GameEventEnvelope) };

static void Progress(string what, long done, long total, Stopwatch clock)
{
    Console.Error.Write($"\r{what}: {done:N0}/{total:N0} ({100.0 * done / total:0}%) {done / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0}/s   ");
}

static async Task<int> Fill(string bootstrap, string topic, int n)
{
    using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
    {
        BootstrapServers = bootstrap, Acks = Acks.All, EnableIdempotence = true, LingerMs = 20, BatchSize = 1 << 20,
        QueueBufferingMaxMessages = 500_000, CompressionType = CompressionType.Lz4,
    }).Build();
    var clock = Stopwatch.StartNew();
    long failed = 0;
    for (var i = 0; i < n; i++)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, Message(Event(i)), r => { if (r.Error.IsError) Interlocked.Increment(ref failed); });
                break;
            }
            catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }

        if (i % 50_000 == 0)
        {
            Progress("fill", i, n, clock);
        }
    }

    producer.Flush(TimeSpan.FromMinutes(2));
    Progress("fill", n, n, clock);
    Console.Error.WriteLine();
    Console.WriteLine($"filled {n:N0} events into {topic} in {clock.Elapsed.TotalSeconds:0.00} s ({failed} failed)");
    await Task.CompletedTask;
    return failed == 0 ? 0 : 1;
}

static int Consume(string bootstrap, string topic, int n)
{
    using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrap, GroupId = $"raw-{Guid.NewGuid():N}", EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest, FetchMaxBytes = 64 * 1024 * 1024, QueuedMaxMessagesKbytes = 256 * 1024,
    }).Build();
    consumer.Subscribe(topic);
    var clock = Stopwatch.StartNew();
    long count = 0, bytes = 0;
    Stopwatch? firstRecord = null;
    while (count < n)
    {
        var r = consumer.Consume(TimeSpan.FromSeconds(1));
        if (r?.Message is null)
        {
            continue;
        }

        firstRecord ??= Stopwatch.StartNew();
        count++;
        bytes += r.Message.Value.Length;
        if (count % 100_000 == 0)
        {
            Progress("consume", count, n, clock);
        }
    }

    Console.Error.WriteLine();
    var seconds = firstRecord!.Elapsed.TotalSeconds;
    Console.WriteLine($"raw consume: {count:N0} events ({bytes / 1e6:0} MB) in {seconds:0.00} s from the first record = {count / seconds:N0} events/s");
    consumer.Close();
    return 0;
}

static long CommittedRecords(string lake, out DateTimeOffset? firstCommit)
{
    long total = 0;
    firstCommit = null;
    var commits = Path.Combine(lake, "_commits");
    if (!Directory.Exists(commits))
    {
        return 0;
    }

    foreach (var file in Directory.EnumerateFiles(commits, "*.json", SearchOption.AllDirectories))
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        total += doc.RootElement.GetProperty("records").GetInt64();
        var at = doc.RootElement.GetProperty("committed_at").GetDateTimeOffset();
        if (firstCommit is null || at < firstCommit)
        {
            firstCommit = at;
        }
    }

    return total;
}

static async Task<int> WaitLake(string lake, int n)
{
    var clock = Stopwatch.StartNew();
    long committed;
    while ((committed = CommittedRecords(lake, out _)) < n)
    {
        Progress("lake", committed, n, clock);
        await Task.Delay(500);
        if (clock.Elapsed > TimeSpan.FromMinutes(10))
        {
            Console.WriteLine($"timed out with {committed:N0} records committed");
            return 1;
        }
    }

    CommittedRecords(lake, out var first);
    var done = DateTimeOffset.UtcNow;
    Console.Error.WriteLine();
    var steady = (done - first!.Value).TotalSeconds;
    Console.WriteLine($"writer: {committed:N0} events committed {clock.Elapsed.TotalSeconds:0.00} s after start = {committed / clock.Elapsed.TotalSeconds:N0} events/s (from the first commit: {committed / steady:N0} events/s)");
    var files = Directory.EnumerateFiles(lake, "*.parquet", SearchOption.AllDirectories).Where(f => !f.Contains("_staging")).ToList();
    Console.WriteLine($"lake: {files.Count} files, {files.Sum(f => new FileInfo(f).Length) / 1e6:0} MB Parquet");
    return 0;
}

static async Task<int> Freshness(string bootstrap, string topic, string lake, int rate, int seconds)
{
    using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 0 }).Build();
    var produced = new Dictionary<string, DateTime>();
    var seen = new Dictionary<string, DateTime>();
    var known = new HashSet<string>();
    using var duck = new DuckDBConnection("DataSource=:memory:");
    duck.Open();
    var clock = Stopwatch.StartNew();
    var next = 0;
    while (clock.Elapsed.TotalSeconds < seconds + 5)
    {
        // Produce what is due at this rate (for the first SECONDS), then watch for files appearing.
        var due = (int)Math.Min(rate * clock.Elapsed.TotalSeconds, (long)rate * seconds);
        for (; next < due; next++)
        {
            var e = Event(next);
            produced[e.EventId.ToString()] = DateTime.UtcNow;
            producer.Produce(topic, Message(e));
        }

        foreach (var file in Directory.EnumerateFiles(lake, "*.parquet", SearchOption.AllDirectories))
        {
            if (file.Contains("_staging") || !known.Add(file))
            {
                continue;
            }

            var now = DateTime.UtcNow;
            using var command = duck.CreateCommand();
            command.CommandText = $"SELECT event_id FROM read_parquet('{file}')";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                seen.TryAdd(reader.GetString(0), now);
            }
        }

        await Task.Delay(20);
        if (next >= (long)rate * seconds && seen.Count >= produced.Count)
        {
            break;
        }
    }

    var lags = produced.Where(p => seen.ContainsKey(p.Key)).Select(p => (seen[p.Key] - p.Value).TotalMilliseconds).Order().ToArray();
    double Pct(double q) => lags[(int)Math.Min(lags.Length - 1, Math.Ceiling(q * lags.Length) - 1)];
    Console.WriteLine($"freshness at {rate}/s for {seconds} s: {lags.Length:N0}/{produced.Count:N0} events seen; produce→committed file p50 {Pct(0.50):0} ms, p95 {Pct(0.95):0} ms, p99 {Pct(0.99):0} ms, max {lags[^1]:0} ms");
    return lags.Length == produced.Count ? 0 : 1;
}
