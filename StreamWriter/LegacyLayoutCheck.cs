using Microsoft.Extensions.Options;
using GamePipeline.Lake;

namespace StreamWriter;

/// <summary>
/// Refuses to start on a lake in the layout before Delta tables (a per-partition commit log under <c>_commits/</c>):
/// its tables have no Delta log, so writing Delta commits beside them would hide every row written before. A lake
/// that does not answer yet (a namenode failing over) is asked again until it does.
/// </summary>
public sealed class LegacyLayoutCheck(ILakeStorage storage, IOptions<StreamWriterOptions> options, ILogger<LegacyLayoutCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await HoldsLegacyLayoutAsync(cancellationToken))
        {
            var problem =
                $"The lake at {storage.Location} is in the layout before Delta tables ({LakeLayout.LegacyCommitFolder(options.Value.Topic)} exists). " +
                "Its rows cannot be read as Delta tables: move the lake aside (or delete it) and start again with an empty lake; " +
                "the events still in Kafka are written again.";
            StreamWriterLog.LegacyLayout(logger, problem);
            throw new InvalidOperationException(problem);
        }
    }

    private async Task<bool> HoldsLegacyLayoutAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LakeLayout.HoldsLegacyLayoutAsync(storage, options.Value.Topic, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException)
            {
                StreamWriterLog.LakeUnavailable(logger, e, attempt);
                await Task.Delay(options.Value.RetryDelay, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
