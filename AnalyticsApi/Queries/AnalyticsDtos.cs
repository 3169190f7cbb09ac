namespace AnalyticsApi.Queries;

public sealed record TableInfo(string Name, string? Description);

public sealed record ColumnInfo(string Name, string Type);

public sealed record TableCount(string Table, long Count);

public sealed record HostCount(string? Host, long Count);

public sealed record MinuteCount(DateTimeOffset Minute, string EventType, long Count);

public sealed record TopUser(string UserId, long Events, long SwordPurchases, long GuildJoins);

public sealed record UserAgentCount(string? UserAgent, long Count);

public sealed record GuildToSwordFunnel(long JoinedGuild, long BoughtSwordAfterJoining, double Conversion);

/// <summary>Of one event table: the events written with an idempotency key, and the retries of them left out (in duplicate_events).</summary>
public sealed record DuplicateCount(string Table, long KeyedEvents, long Duplicates);
