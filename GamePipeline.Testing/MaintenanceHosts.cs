using GamePipeline.Lake;
using LakeMaintenance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace GamePipeline.Testing;

/// <summary>LakeMaintenance's table maintenance over a local lake, in the test's process, with the options and clock a test gives.</summary>
public static class MaintenanceHosts
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static TableMaintenance Create(string lake, LakeMaintenanceOptions options, TimeProvider? time = null) =>
        Create(new LocalLakeStorage(lake), options, time);

    public static TableMaintenance Create(ILakeStorage storage, LakeMaintenanceOptions options, TimeProvider? time = null) =>
        new(storage, Options.Create(options), new MaintenanceMetrics(Meters), time ?? TimeProvider.System, NullLogger<TableMaintenance>.Instance);
}
