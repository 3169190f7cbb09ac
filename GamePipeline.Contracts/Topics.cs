namespace GamePipeline.Contracts;

public static class Topics
{
    /// <summary>Every game event, as in the seed (<c>kafka-topics --create --topic events</c>).</summary>
    public const string Events = "events";
}
