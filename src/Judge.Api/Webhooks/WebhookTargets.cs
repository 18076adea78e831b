using Microsoft.Security.AntiSSRF;

namespace Judge.Api.Webhooks;

/// <summary>
/// Where deliveries may go. At submit time a callback URL must be an absolute http or https URL. At send time the
/// connection itself is checked: Microsoft's AntiSSRF handler resolves the host in the connection callback and refuses
/// the connection when any resolved address is private, loopback, link-local, shared (CGNAT), multicast, unspecified
/// or otherwise special-purpose (IPv4, IPv6 and IPv4-mapped IPv6 alike), then connects only to the addresses it checked,
/// so a name that resolves differently later (DNS rebinding) gains nothing. Redirects are not followed and no proxy is
/// used (a proxy would connect on our behalf, unchecked).
/// </summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2048;

    public const string InvalidUrlMessage = "must be an absolute http or https URL";

    /// <summary>A callback URL a client may give: absolute, http or https, with a host, at most 2048 characters.</summary>
    public static bool IsAcceptable(string? url) =>
        url is { Length: > 0 and <= MaxUrlLength } && Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    /// <summary>The handler every delivery goes through; with <see cref="WebhookOptions.AllowPrivateTargets"/> the address
    /// check is off (the rest stays).</summary>
    public static HttpMessageHandler CreateHandler(WebhookOptions options)
    {
        var policy = new AntiSSRFPolicy(options.AllowPrivateTargets ? PolicyConfigOptions.None : PolicyConfigOptions.ExternalOnlyLatest)
        {
            AllowPlainTextHttp = true,
            // The library marks requests "X-Forwarded-For: true" so that a cloud metadata service refuses them; those
            // addresses are refused anyway, and receivers should not see a made-up header.
            AddXFFHeader = false,
        };
        var handler = policy.GetHandler();
        handler.AllowAutoRedirect = false;
        handler.ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        // Pooled connections were checked when they were made; new ones pick up DNS changes (and are checked again).
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2);
        return handler;
    }

    /// <summary>Whether <paramref name="e"/> (or what it wraps) is the handler refusing the target.</summary>
    public static bool IsRefusal(Exception e, out string reason)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is AntiSSRFException refused)
            {
                reason = refused.Message;
                return true;
            }
        reason = "";
        return false;
    }
}
