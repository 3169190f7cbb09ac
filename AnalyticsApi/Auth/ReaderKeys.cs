using System.Net;
using GamePipeline.HttpApi.Keys;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace AnalyticsApi.Auth;

/// <summary>
/// Section <c>ReaderKeys</c>: who may read. API keys, each with scopes: <c>read</c> (every table, query and the
/// report), <c>admin</c> (read, and erase a player). Scripts send <c>Authorization: Bearer KEY</c>; a browser asked
/// for the report signs in with any user name and the key as password. Configuration holds each key's SHA-256.
/// </summary>
public sealed class ReaderKeyOptions
{
    public const string Section = "ReaderKeys";

    /// <summary>Requests from this machine (loopback) read without a key: the embedded <c>dotnet run</c> on a laptop.</summary>
    public bool AllowAnonymousOnLoopback { get; set; }

    public List<ConfiguredKey> Keys { get; set; } = [];
}

public sealed class ReaderKeyOptionsValidation : IValidateOptions<ReaderKeyOptions>
{
    private static readonly string[] KnownScopes = [ReaderKeys.ReadScope, ReaderKeys.AdminScope];

    public ValidateOptionsResult Validate(string? name, ReaderKeyOptions options)
    {
        var failures = new List<string>();
        if (options.Keys.Count == 0 && !options.AllowAnonymousOnLoopback)
        {
            failures.Add("No reader key is configured: add ReaderKeys:Keys:0:Name, :Hash and :Scopes:0 (bash scripts/keys.sh new NAME prints them), or set ReaderKeys:AllowAnonymousOnLoopback=true on a laptop.");
        }

        failures.AddRange(ConfiguredKey.Problems(options.Keys, ReaderKeyOptions.Section));
        for (var i = 0; i < options.Keys.Count; i++)
        {
            if (options.Keys[i].Scopes.Length == 0 || options.Keys[i].Scopes.Except(KnownScopes).Any())
            {
                failures.Add($"ReaderKeys:Keys:{i}: scopes must be one or more of {string.Join(", ", KnownScopes)}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class ReaderKeys
{
    public const string Scheme = "ReaderKey";
    public const string ReadPolicy = "read";
    public const string AdminPolicy = "admin";
    public const string ReadScope = "read";
    public const string AdminScope = "admin";

    public static IServiceCollection AddReaderKeys(this IServiceCollection services)
    {
        services.AddOptions<ReaderKeyOptions>().BindConfiguration(ReaderKeyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReaderKeyOptions>, ReaderKeyOptionsValidation>();
        services.AddKeyAuthentication<ReaderKeyOptions>(Scheme, options => options.Keys, KeyCarrier.BearerOrBasicPassword, "GamePipeline analytics");
        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy.RequireAssertion(context => HasScope(context, ReadScope, AdminScope) || IsTrustedLoopback(context)))
            .AddPolicy(AdminPolicy, policy => policy.RequireAssertion(context => HasScope(context, AdminScope) || IsTrustedLoopback(context)));
        return services;
    }

    private static bool HasScope(AuthorizationHandlerContext context, params string[] scopes) =>
        context.User.Claims.Any(claim => claim.Type == KeyAuthenticationHandler.ScopeClaim && scopes.Contains(claim.Value));

    /// <summary>A request from this machine, without any key, where the configuration trusts the machine.</summary>
    private static bool IsTrustedLoopback(AuthorizationHandlerContext context) =>
        context.Resource is HttpContext http
        && http.RequestServices.GetRequiredService<IOptions<ReaderKeyOptions>>().Value.AllowAnonymousOnLoopback
        && http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)
        && KeyAuthenticationHandler.PresentedKey(http.Request, KeyCarrier.BearerOrBasicPassword) is null;
}
