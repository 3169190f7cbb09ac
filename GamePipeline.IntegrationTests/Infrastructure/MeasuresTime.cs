namespace GamePipeline.Tests;

/// <summary>
/// Tests that bound how long something takes (a takeover within the session timeout) and tests that load both cores
/// for a minute (clients at full speed): in one collection, so that xunit never runs them side by side.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MeasuresTime
{
    public const string Name = "measures time or loads the machine";
}
