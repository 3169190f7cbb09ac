using System.Diagnostics;
using GamePipeline.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace GamePipeline.Tests.Telemetry;

public sealed class SamplingTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long GetTimestamp() => Ticks;

        public override long TimestampFrequency => 1_000;
    }

    /// <summary>A span with no parent: Activity.Current would otherwise become its parent.</summary>
    private static Activity Root(ActivitySource source, string name)
    {
        Activity.Current = null;
        return source.StartActivity(name, ActivityKind.Server, parentContext: default)!;
    }

    [Fact]
    public void New_traces_are_kept_up_to_the_rate_children_follow_their_parent_and_failures_are_sent_anyway()
    {
        var clock = new ManualClock();
        using var source = new ActivitySource($"sampling-{Guid.NewGuid():N}");
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .SetSampler(new RateLimitedSampler(5, clock))
            .AddProcessor(new FailedSpanExporter())
            .AddInMemoryExporter(exported)
            .Build();

        // A burst: one second's worth is sent, the rest only recorded (they still have trace ids to pass on).
        var burst = new List<Activity>();
        for (var i = 0; i < 50; i++)
        {
            var root = Root(source, $"burst {i}");
            using (source.StartActivity("child", ActivityKind.Producer))
            {
            }

            root.Dispose();
            burst.Add(root);
        }

        Assert.Equal(5, exported.Count(a => a.DisplayName.StartsWith("burst", StringComparison.Ordinal)));
        Assert.Equal(5, exported.Count(a => a.DisplayName == "child"));
        Assert.All(burst, a => Assert.NotEqual(default, a.TraceId));
        Assert.All(exported.Where(a => a.DisplayName == "child"), child => Assert.Contains(exported, root => root.SpanId == child.ParentSpanId));

        // Half a second later, half a second's worth.
        clock.Ticks += 500;
        for (var i = 0; i < 10; i++)
        {
            Root(source, "later").Dispose();
        }

        Assert.Equal(2, exported.Count(a => a.DisplayName == "later"));

        // A request that fails is sent though the budget is spent; so is a failing span under an unsent parent.
        var failing = Root(source, "failed request");
        using (var produce = source.StartActivity("failed produce", ActivityKind.Producer))
        {
            produce!.SetStatus(ActivityStatusCode.Error, "Local_MsgTimedOut");
        }

        failing.SetStatus(ActivityStatusCode.Error);
        failing.Dispose();
        Assert.Contains(exported, a => a.DisplayName == "failed request");
        Assert.Contains(exported, a => a.DisplayName == "failed produce" && a.TraceId == failing.TraceId);

        // A span whose remote parent was sampled is sent, one whose parent was not is not, budget or none.
        clock.Ticks += 10_000;
        var sampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var unsampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);
        source.StartActivity("consume sampled", ActivityKind.Consumer, sampledParent)!.Dispose();
        source.StartActivity("consume unsampled", ActivityKind.Consumer, unsampledParent)!.Dispose();
        Assert.Contains(exported, a => a.DisplayName == "consume sampled" && a.TraceId == sampledParent.TraceId);
        Assert.DoesNotContain(exported, a => a.DisplayName == "consume unsampled");
    }

    [Fact]
    public async Task Service_defaults_sample_by_rate_even_when_the_environment_asks_for_always_on_as_aspire_does()
    {
        var name = $"sampled-service-{Guid.NewGuid():N}";
        var exported = new List<Activity>();
        using var host = await InProcessHosts.StartAsync(async () =>
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = name });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OTEL_TRACES_SAMPLER"] = "always_on",
                ["Telemetry:Tracing:TracesPerSecond"] = "3",
            });
            builder.AddServiceDefaults();
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(exported));
            var built = builder.Build();
            await built.StartAsync();
            return built;
        });

        using var source = new ActivitySource(name);
        for (var i = 0; i < 100; i++)
        {
            Root(source, "request").Dispose();
        }

        // At most the first second's budget of three (a few more if the loop spanned a refill), not the hundred that
        // always_on would send. The budget is the service's, shared with the spans of every other source it traces
        // (HTTP, Kafka) — which other tests in this process create — so fewer of these may be sent.
        Assert.InRange(exported.Count(a => a.Source.Name == name), 0, 6);
        Assert.DoesNotContain(exported, a => a.Source.Name == name && a.DisplayName != "request");
        await host.StopAsync();
    }
}
