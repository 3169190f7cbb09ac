namespace GamePipeline.Contracts;

/// <summary>The event types the game sends (the seed's three), and the table each one lands in.</summary>
public static class GameEventTypes
{
    public const string Default = "default";
    public const string PurchaseSword = "purchase_sword";
    public const string JoinGuild = "join_guild";

    public static readonly IReadOnlyList<string> All = [Default, PurchaseSword, JoinGuild];

    public static bool IsKnown(string? eventType) => eventType is Default or PurchaseSword or JoinGuild;
}
