using GamePipeline.Contracts;
using GamePipeline.Lake;
using Microsoft.Extensions.Options;

namespace LakeMaintenance;

/// <summary>
/// Runs maintenance passes: every <see cref="LakeMaintenanceOptions.Interval"/> each table is compacted, and every
/// <see cref="LakeMaintenanceOptions.VacuumInterval"/> vacuumed. A failed pass is retried with a doubling delay up to
/// <see cref="LakeMaintenanceOptions.MaxBackoff"/>; every step commits or deletes only what the log allows, so a
/// pass cut off anywhere leaves every table readable.
/// </summary>
public sealed class MaintenanceWorker(
    TableMaintenance maintenance, MaintenanceHealth health, ILakeStorage storage, IOptions<LakeMaintenanceOptions> options, TimeProvider time, ILogger<MaintenanceWorker> logger)
    : BackgroundService
{
    private readonly LakeMaintenanceOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        MaintenanceLog.Starting(logger, storage.Location, _options.Interval, _options.VacuumInterval, _options.VacuumRetention, _options.LogRetention);
        var nextVacuum = time.GetUtcNow();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = _options.Interval;
            try
            {
                var vacuum = time.GetUtcNow() >= nextVacuum;
                foreach (var table in LakeTables.All)
                {
                    await maintenance.CompactAsync(table, stoppingToken);
                    if (vacuum)
                    {
                        await maintenance.VacuumAsync(table.Name, stoppingToken);
                    }
                }

                if (vacuum)
                {
                    nextVacuum = time.GetUtcNow() + _options.VacuumInterval;
                }

                failures = 0;
                health.Succeeded(time.GetUtcNow());
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                delay = TimeSpan.FromTicks(Math.Min(_options.MaxBackoff.Ticks, _options.Interval.Ticks * (1L << Math.Min(failures, 20))));
                health.Failed(e, failures);
                MaintenanceLog.PassFailed(logger, e, failures, delay);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
