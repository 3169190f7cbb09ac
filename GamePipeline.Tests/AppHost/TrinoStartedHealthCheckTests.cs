using GamePipeline.AppHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GamePipeline.Tests.AppHost;

public sealed class TrinoStartedHealthCheckTests
{
    [Fact]
    public async Task Trino_is_healthy_only_once_v1_info_says_it_is_no_longer_starting()
    {
        var starting = true;
        var (app, endpoint) = await InProcessHosts.StartWebAppAsync(web =>
            web.MapGet("/v1/info", () => Results.Json(new { nodeVersion = new { version = "483" }, coordinator = true, starting })));
        await using var _ = app;
        var check = new TrinoStartedHealthCheck(() => endpoint);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("trino_started", check, HealthStatus.Unhealthy, []) };

        var whileStarting = await check.CheckHealthAsync(context);
        starting = false;
        var started = await check.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Unhealthy, whileStarting.Status);
        Assert.Equal("Trino is still starting", whileStarting.Description);
        Assert.Equal(HealthStatus.Healthy, started.Status);
    }
}
