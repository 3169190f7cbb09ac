using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace GameApi.Auth;

/// <summary>One token bucket: how many requests a second it refills, and how many it holds for a burst (0: no limit).</summary>
public sealed class RateLimit
{
    [Range(0, 10_000_000)]
    public int PermitsPerSecond { get; set; }

    [Range(1, 100_000_000)]
    public int Burst { get; set; } = 1;
}

/// <summary>
/// Section <c>RateLimits</c>: requests a second per write key's source and per client address, each its own token
/// bucket, so a flood from one source or address never slows another. Over a limit → 429 with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    [Required]
    public RateLimit PerSender { get; set; } = new() { PermitsPerSecond = 5_000, Burst = 10_000 };

    [Required]
    public RateLimit PerAddress { get; set; } = new() { PermitsPerSecond = 2_000, Burst = 4_000 };
}

/// <summary>Marks the endpoints that take events: only they are rate-limited (health checks and the API reference are not).</summary>
public sealed class IngestEndpoint
{
    public static readonly IngestEndpoint Instance = new();
}

public static class IngestRateLimits
{
    public static IServiceCollection AddIngestRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, configured) =>
        {
            var limits = configured.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    Bucket(context, limits.PerSender, context.User.Identity is { IsAuthenticated: true, Name: { } sender } ? $"sender:{sender}" : null)),
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    Bucket(context, limits.PerAddress, context.Connection.RemoteIpAddress is { } address ? $"address:{address}" : null)));
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    private static RateLimitPartition<string> Bucket(HttpContext context, RateLimit limit, string? key) =>
        key is null || limit.PermitsPerSecond == 0 || context.GetEndpoint()?.Metadata.GetMetadata<IngestEndpoint>() is null
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limit.Burst,
                // Refilled ten times a second, so a limit is smooth rather than a burst at each second's start.
                TokensPerPeriod = Math.Max(1, limit.PermitsPerSecond / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = 0,
                AutoReplenishment = true,
            });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.RequestServices.GetRequiredService<GameApiMetrics>().Rejected("rate_limited");
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests; nothing was recorded.",
                Detail = $"This source or address is over its rate limit; retry after {seconds} s.",
                Type = "https://gamepipeline.dev/problems/rate-limited",
            },
        });
    }
}
