using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LakeMaintenance;

/// <summary>Unhealthy while maintenance passes fail (the lake unreachable or read-only); it keeps retrying meanwhile.</summary>
public sealed class MaintenanceHealth : IHealthCheck
{
    private volatile string? _failure;
    private DateTimeOffset? _lastPass;

    /// <summary>Whether the last pass failed.</summary>
    public bool Failing => _failure is not null;

    public void Succeeded(DateTimeOffset at)
    {
        _lastPass = at;
        _failure = null;
    }

    public void Failed(Exception exception, int failures, IReadOnlyList<string> tables) =>
        _failure = $"{failures} pass(es) in a row failed for {string.Join(", ", tables)}: {exception.Message}";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["last_pass"] = _lastPass?.ToString("O") ?? "none yet" };
        return Task.FromResult(_failure is { } failure ? HealthCheckResult.Unhealthy(failure, data: data) : HealthCheckResult.Healthy("maintaining", data));
    }
}
