using GamePipeline.Contracts;
using GamePipeline.Lake;
using Microsoft.Extensions.Options;

namespace LakeMaintenance;

/// <summary>
/// Runs maintenance passes: every <see cref="LakeMaintenanceOptions.Interval"/> each table is compacted, and every
/// <see cref="LakeMaintenanceOptions.VacuumInterval"/> vacuumed. A pass that failed for any table is retried with a doubling delay up to
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
            var vacuum = time.GetUtcNow() >= nextVacuum;
            // One table that cannot be maintained (unreadable, its folder refusing writes) holds back no other.
            var failed = new List<(string Table, Exception Error)>();
            foreach (var table in LakeTables.All)
            {
                try
                {
                    await maintenance.CompactAsync(table, stoppingToken);
                    if (vacuum)
                    {
                        await maintenance.VacuumAsync(table.Name, stoppingToken);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    failed.Add((table.Name, e));
                }
            }

            if (failed.Count == 0)
            {
                nextVacuum = vacuum ? time.GetUtcNow() + _options.VacuumInterval : nextVacuum;
                failures = 0;
                health.Succeeded(time.GetUtcNow());
            }
            else
            {
                failures++;
                delay = TimeSpan.FromTicks(Math.Min(_options.MaxBackoff.Ticks, _options.Interval.Ticks * (1L << Math.Min(failures, 20))));
                var error = failed.Count == 1 ? failed[0].Error : new AggregateException(failed.Select(f => f.Error));
                health.Failed(error, failures, [.. failed.Select(f => f.Table)]);
                MaintenanceLog.PassFailed(logger, error, string.Join(", ", failed.Select(f => f.Table)), failures, delay);
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
