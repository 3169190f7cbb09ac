using Microsoft.Extensions.Configuration;

namespace GamePipeline.Lake;

/// <summary>
/// The connection strings the AppHost hands the services besides <c>kafka</c>: <c>lake</c> and <c>catalog</c>, named
/// as its resources (<see cref="GamePipeline.Contracts.ResourceNames"/>).
/// </summary>
public static class PipelineConnections
{
    /// <summary>A connection string that must be there (the AppHost sets it through WithReference).</summary>
    public static string Required(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Connection string '{name}' is missing: set ConnectionStrings:{name}.");

    /// <summary>A directory given as a path or a file:// URI.</summary>
    public static string Directory(IConfiguration configuration, string name)
    {
        var value = Required(configuration, name);
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : value;
    }
}
