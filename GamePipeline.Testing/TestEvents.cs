using System.Text.Json;
using Confluent.Kafka;
using GamePipeline.Contracts;

namespace GamePipeline.Testing;

/// <summary>Contract-valid events, produced the way GameApi produces them (key = user id, JSON envelope).</summary>
public static class TestEvents
{
    private static readonly string[] Types = [GameEventTypes.Default, GameEventTypes.PurchaseSword, GameEventTypes.JoinGuild];

    public static GameEventEnvelope Create(int n, string user = "user1.comcast.com") => new()
    {
        EventId = Guid.CreateVersion7(),
        EventType = Types[n % Types.Length],
        ReceivedAt = DateTimeOffset.UtcNow,
        UserId = $"{user}-{n % 7}",
        Source = EventSources.Route,
        Host = user,
        UserAgent = "ApacheBench/2.3",
        Accept = "*/*",
        Headers = new Dictionary<string, string> { ["Host"] = user, ["User-Agent"] = "ApacheBench/2.3", ["Accept"] = "*/*" },
    };

    public static GameEventEnvelope Create(string eventType, string host, DateTimeOffset at, string userAgent = "ApacheBench/2.3") => new()
    {
        EventId = Guid.CreateVersion7(),
        EventType = eventType,
        ReceivedAt = at,
        UserId = host,
        Source = EventSources.Route,
        Host = host,
        UserAgent = userAgent,
        Accept = "*/*",
        Headers = new Dictionary<string, string> { ["Host"] = host, ["User-Agent"] = userAgent },
    };

    public static Message<string, byte[]> Message(GameEventEnvelope envelope) => new()
    {
        Key = envelope.UserId,
        Value = JsonSerializer.SerializeToUtf8Bytes(envelope, ContractsJsonContext.Default.GameEventEnvelope),
    };

    public static IProducer<string, byte[]> Producer(string bootstrapServers) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers, Acks = Acks.All, EnableIdempotence = true, LingerMs = 5 }).Build();

    /// <summary>Produces <paramref name="count"/> valid events of one user, one by one, in order; returns their ids.</summary>
    public static async Task<List<string>> ProduceAsync(string bootstrapServers, int count, string user)
    {
        using var producer = Producer(bootstrapServers);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var envelope = Create(i, user);
            ids.Add(envelope.EventId.ToString());
            await producer.ProduceAsync(Topics.Events, Message(envelope));
        }

        return ids;
    }

    /// <summary>
    /// Produces <paramref name="rounds"/> rounds of <paramref name="perRound"/> events of one user each (round r's
    /// user is <paramref name="user"/>(r)), waiting until the lake counts each round before sending the next, so every
    /// round lands in commits of its own; returns the ids.
    /// </summary>
    public static async Task<List<string>> ProduceInRoundsAsync(string bootstrapServers, int rounds, int perRound, Func<long> countInLake, Func<int, string>? user = null)
    {
        var ids = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            ids.AddRange(await ProduceAsync(bootstrapServers, perRound, user?.Invoke(round) ?? $"user{round}.example.com"));
            await Eventually.TrueAsync(() => countInLake() == ids.Count, TimeSpan.FromSeconds(30), () => $"the lake counts {countInLake()} of {ids.Count} events");
        }

        return ids;
    }

    /// <summary>
    /// Produces events at a steady pace until <paramref name="until"/> completes; returns the ids Kafka acknowledged.
    /// Events come from <paramref name="hosts"/> hosts (each with 7 users), keyed by user, so they spread over that
    /// many partitions and more.
    /// </summary>
    public static async Task<HashSet<string>> ProduceWhileAsync(string bootstrapServers, Task until, int perSecond, int hosts = 1)
    {
        using var producer = Producer(bootstrapServers);
        var ids = new HashSet<string>();
        var n = 0;
        while (!until.IsCompleted)
        {
            var batch = new List<Task<DeliveryResult<string, byte[]>>>();
            for (var i = 0; i < perSecond / 10; i++)
            {
                var envelope = hosts == 1 ? Create(n) : Create(n, $"user{n % hosts}.example.com");
                n++;
                ids.Add(envelope.EventId.ToString());
                batch.Add(producer.ProduceAsync(Topics.Events, Message(envelope)));
            }

            await Task.WhenAll(batch);
            await Task.Delay(100);
        }

        return ids;
    }
}
