using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Judge.Api.Auth;

public static class ApiKeys
{
    public const string Header = "X-Api-Key";
    public const string Judge0Header = "X-Auth-Token";
    public const string AdminPolicy = "admin";
    public const string CandidatePolicy = "candidate";
    public const string SubmitLimit = "submit";
    public const string ReadLimit = "read";

    const string SchemeName = "ApiKey";
    const string AdminRole = "admin", ClientRole = "client";

    /// <summary>Authentication by X-Api-Key, the admin and candidate policies, and per-client rate limits.</summary>
    public static IHostApplicationBuilder AddApiKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration("Auth").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimit").ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireRole(AdminRole))
            // No key: allowed when anonymous use is on. A key: it must be a client or admin key (an unknown key is 403).
            .AddPolicy(CandidatePolicy, p => p.RequireAssertion(ctx => IsCandidate(ctx.User, ctx.Resource as HttpContext)));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                var window = ctx.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue.WindowSeconds;
                var retryAfter = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var ra) ? (int)Math.Ceiling(ra.TotalSeconds) : window;
                ctx.HttpContext.Response.Headers.RetryAfter = Math.Max(1, retryAfter).ToString();
                // A compatibility surface (Judge0, Piston) answers in its own error shape.
                if (ctx.HttpContext.GetEndpoint()?.Metadata.GetMetadata<RejectionBody>() is { } body)
                {
                    await body.WriteAsync(ctx.HttpContext, $"Rate limit reached; retry after {retryAfter} s.");
                    return;
                }
                await ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
                {
                    HttpContext = ctx.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = $"Rate limit reached; retry after {retryAfter} s." },
                });
            };
            o.AddPolicy(SubmitLimit, http => Partition(http, r => r.SubmitPermitLimit));
            o.AddPolicy(ReadLimit, http => Partition(http, r => r.ReadPermitLimit));
        });
        return builder;
    }

    /// <summary>The candidate policy: a client or admin key, or no key at all while anonymous use is on.</summary>
    public static bool IsCandidate(ClaimsPrincipal user, HttpContext? http) =>
        user.IsInRole(ClientRole) || user.IsInRole(AdminRole) ||
        (user.Identity?.IsAuthenticated != true && http is not null &&
         http.RequestServices.GetRequiredService<IOptionsMonitor<AuthOptions>>().CurrentValue.AllowAnonymous);

    /// <summary>Who is asking: a hash of the key when one was accepted, else the remote IP. Used for fairness and rate limits.</summary>
    public static string ClientId(HttpContext http) =>
        http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? AnonymousClient(http.Connection.RemoteIpAddress);

    /// <summary>An anonymous client is its address; an IPv6 address counts by its /64 (one subscriber usually holds a whole
    /// /64, so single addresses would let one client be many).</summary>
    public static string AnonymousClient(System.Net.IPAddress? address)
    {
        if (address is null) return "ip:unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return "ip:" + address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return "ip:" + new System.Net.IPAddress(bytes) + "/64";
    }

    /// <summary>The client id of a request made with <paramref name="key"/> (a short hash: the key itself is never stored).</summary>
    public static string ClientIdOfKey(string key) => "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];

    static RateLimitPartition<string> Partition(HttpContext http, Func<RateLimitOptions, int> permits)
    {
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
        return RateLimitPartition.GetFixedWindowLimiter(ClientId(http), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits(options),
            Window = TimeSpan.FromSeconds(options.WindowSeconds),
            QueueLimit = 0,
        });
    }

    sealed class ApiKeyHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptionsMonitor<AuthOptions> auth)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var key = Request.Headers[Header].ToString();
            // Judge0's clients send their key as X-Auth-Token; only the /judge0 surface reads it.
            if (key.Length == 0 && Request.Path.StartsWithSegments("/judge0")) key = Request.Headers[Judge0Header].ToString();
            if (key.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());

            var keys = auth.CurrentValue;
            var role = Contains(keys.AdminKeys, key) ? AdminRole : Contains(keys.ClientKeys, key) ? ClientRole : null;
            // The raw key never appears in claims or logs: clients are told apart by a short hash.
            var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, ClientIdOfKey(key)) };
            if (role is not null) claims.Add(new Claim(ClaimTypes.Role, role));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }

        static bool Contains(List<string> keys, string key)
        {
            var found = false;
            foreach (var candidate in keys)
                found |= candidate.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), Encoding.UTF8.GetBytes(key));
            return found;
        }
    }
}

/// <summary>Endpoint metadata: how a rate-limit rejection is written on a surface with its own error shape.</summary>
public sealed record RejectionBody(Func<HttpContext, string, Task> WriteAsync);
