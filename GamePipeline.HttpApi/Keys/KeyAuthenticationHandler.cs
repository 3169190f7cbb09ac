using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GamePipeline.HttpApi.Keys;

/// <summary>Where a request carries its key.</summary>
public enum KeyCarrier
{
    /// <summary><c>Authorization: Basic</c> with the key as the user name and no password (Segment's write keys; <c>ab -A key:</c>, <c>curl -u key:</c>).</summary>
    BasicUserName,

    /// <summary><c>Authorization: Bearer KEY</c> (scripts), or <c>Basic</c> with the key as the password (a browser's sign-in prompt).</summary>
    BearerOrBasicPassword,
}

public sealed class KeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public KeyRing Keys { get; set; } = new([]);

    public KeyCarrier Carrier { get; set; }

    /// <summary>The realm a 401's <c>WWW-Authenticate</c> names (a browser shows it in its sign-in prompt).</summary>
    public string Realm { get; set; } = "GamePipeline";

    /// <summary>Called for every 401 (a service counts them).</summary>
    public Action<HttpContext>? Challenged { get; set; }
}

/// <summary>
/// Authenticates a request by a configured key (<see cref="KeyRing"/>): the identity's name is the key's name, its
/// scopes are <c>scope</c> claims. No key → no result (what that means is the authorization policy's call); a key that
/// is not configured → failure. The key itself is never logged.
/// </summary>
public sealed class KeyAuthenticationHandler(IOptionsMonitor<KeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<KeyAuthenticationOptions>(options, logger, encoder)
{
    public const string ScopeClaim = "scope";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request, Options.Carrier);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (presented.Length == 0 || Options.Keys.Find(presented) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.Fail("The key is not one this service knows."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, key.Name), .. key.Scopes.Select(scope => new Claim(ScopeClaim, scope))], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Options.Challenged?.Invoke(Context);
        var basic = $"Basic realm=\"{Options.Realm}\", charset=\"UTF-8\"";
        Response.Headers.WWWAuthenticate = Options.Carrier == KeyCarrier.BasicUserName
            ? basic
            : new Microsoft.Extensions.Primitives.StringValues([basic, $"Bearer realm=\"{Options.Realm}\""]);
        return Task.CompletedTask;
    }

    /// <summary>The key the request carries: null when it carries none, empty when its Authorization header is unreadable.</summary>
    public static string? PresentedKey(HttpRequest request, KeyCarrier carrier)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header))
        {
            return request.Headers.Authorization.Count == 0 ? null : "";
        }

        if (carrier == KeyCarrier.BearerOrBasicPassword && header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return header.Parameter ?? "";
        }

        if (!header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return "";
        }

        string userAndPassword;
        try
        {
            userAndPassword = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return "";
        }

        var colon = userAndPassword.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? ""
            : carrier == KeyCarrier.BasicUserName ? userAndPassword[..colon]
            : userAndPassword[(colon + 1)..];
    }
}

public static class KeyAuthenticationExtensions
{
    /// <summary>
    /// A <see cref="KeyAuthenticationHandler"/> scheme whose keys come from the service's options
    /// <typeparamref name="TOptions"/> (bound and validated by the service).
    /// </summary>
    public static IServiceCollection AddKeyAuthentication<TOptions>(
        this IServiceCollection services, string scheme, Func<TOptions, IEnumerable<ConfiguredKey>> keys, KeyCarrier carrier, string realm, Action<HttpContext>? challenged = null)
        where TOptions : class
    {
        services.AddAuthentication(scheme).AddScheme<KeyAuthenticationOptions, KeyAuthenticationHandler>(scheme, _ => { });
        services.AddOptions<KeyAuthenticationOptions>(scheme).Configure<IOptions<TOptions>>((authentication, configured) =>
        {
            authentication.Keys = new KeyRing(keys(configured.Value));
            authentication.Carrier = carrier;
            authentication.Realm = realm;
            authentication.Challenged = challenged;
        });
        return services;
    }
}
