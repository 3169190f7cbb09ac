using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LakeMaintenance;

public static class LakeMaintenanceExtensions
{
    public static IHostApplicationBuilder AddLakeMaintenance(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LakeMaintenanceOptions>()
            .BindConfiguration(LakeMaintenanceOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddLakeStorage();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MaintenanceMetrics>();
        builder.Services.AddSingleton<MaintenanceHealth>();
        builder.Services.AddSingleton<TableMaintenance>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "lake-maintenance", sp => sp.GetRequiredService<MaintenanceHealth>(), HealthStatus.Unhealthy, []));
        builder.Services.AddHostedService<MaintenanceWorker>();
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(MaintenanceMetrics.MeterName))
            .WithTracing(tracing => tracing.AddSource(MaintenanceMetrics.ActivitySourceName));
        return builder;
    }
}
