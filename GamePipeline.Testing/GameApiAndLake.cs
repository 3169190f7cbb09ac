namespace GamePipeline.Testing;

/// <summary>A test's own GameApi (with its own embedded Kafka) and its own lake directory, for writers it starts.</summary>
public abstract class GameApiAndLake(IReadOnlyDictionary<string, string?> settings) : IAsyncLifetime
{
    protected GameApiAndLake()
        : this(new Dictionary<string, string?>())
    {
    }

    protected GameApiFactory Api { get; } = new(settings);

    protected string Lake { get; } = Directory.CreateTempSubdirectory("lake-").FullName;

    public ValueTask InitializeAsync() => ((IAsyncLifetime)Api).InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await ((IAsyncLifetime)Api).DisposeAsync();
        Directory.Delete(Lake, recursive: true);
    }
}
