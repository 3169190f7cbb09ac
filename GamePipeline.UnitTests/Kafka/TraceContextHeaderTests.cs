using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using GamePipeline.Kafka;

namespace GamePipeline.Tests.Kafka;

public sealed class TraceContextHeaderTests
{
    private static Headers With(params (string Name, string Value)[] headers)
    {
        var result = new Headers();
        foreach (var (name, value) in headers)
        {
            result.Add(name, Encoding.UTF8.GetBytes(value));
        }

        return result;
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ActivityTraceFlags.Recorded)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", ActivityTraceFlags.None)]
    public void A_w3c_traceparent_header_gives_the_remote_parent(string traceParent, ActivityTraceFlags flags)
    {
        var context = KafkaTelemetry.ExtractTraceContext(With(("traceparent", traceParent)));

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", context.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", context.SpanId.ToHexString());
        Assert.Equal(flags, context.TraceFlags);
        Assert.True(context.IsRemote);
    }

    [Fact]
    public void A_tracestate_header_is_kept_with_the_parent()
    {
        var context = KafkaTelemetry.ExtractTraceContext(With(("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), ("tracestate", "congo=t61rcWkgMzE")));

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", context.TraceId.ToHexString());
        Assert.Equal("congo=t61rcWkgMzE", context.TraceState);
    }

    [Theory]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")]
    [InlineData("not a traceparent")]
    [InlineData("")]
    public void A_malformed_traceparent_gives_no_parent(string traceParent)
    {
        Assert.Equal(default, KafkaTelemetry.ExtractTraceContext(With(("traceparent", traceParent))));
    }
}
