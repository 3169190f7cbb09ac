namespace GamePipeline.Tests.Analytics;

/// <summary>The analytics tests share one lake, one catalog and one AnalyticsApi.</summary>
[CollectionDefinition(Name)]
public sealed class AnalyticsCollection : ICollectionFixture<AnalyticsFixture>
{
    public const string Name = "analytics";
}
