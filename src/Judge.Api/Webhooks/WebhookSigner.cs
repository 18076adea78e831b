using System.Security.Cryptography;
using System.Text;
using Judge.Api.Auth;

namespace Judge.Api.Webhooks;

/// <summary>
/// Standard Webhooks signatures: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256&gt;</c> over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the base64-decoded part of a <c>whsec_</c> secret: the
/// client's own secret when it has one (<see cref="WebhookOptions.ClientSecrets"/>), else
/// <see cref="WebhookOptions.SigningSecret"/>. The secrets stay in memory here and are never logged.
/// </summary>
public sealed class WebhookSigner
{
    public const string Prefix = "whsec_";

    readonly byte[]? _default;
    readonly Dictionary<string, byte[]> _perClient = [];

    public WebhookSigner(IOptions<WebhookOptions> options)
    {
        if (options.Value.SigningSecret.Length > 0) _default = ParseSecret(options.Value.SigningSecret);
        foreach (var client in options.Value.ClientSecrets)
            _perClient[ApiKeys.ClientIdOfKey(client.ClientKey)] = ParseSecret(client.SigningSecret);
    }

    public bool HasDefaultSecret => _default is not null;

    /// <summary>The signature header's value for a delivery, or null when neither the client nor Judge has a secret.</summary>
    public string? Sign(string clientId, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = _perClient.GetValueOrDefault(clientId) ?? _default;
        if (key is null) return null;
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>Whether <paramref name="secret"/> is <c>whsec_</c> followed by base64 of at least 16 bytes.</summary>
    public static bool IsValidSecret(string secret)
    {
        try
        {
            return ParseSecret(secret).Length >= 16;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    static byte[] ParseSecret(string secret) => secret.StartsWith(Prefix, StringComparison.Ordinal)
        ? Convert.FromBase64String(secret[Prefix.Length..])
        : throw new FormatException("a signing secret starts with whsec_");
}
