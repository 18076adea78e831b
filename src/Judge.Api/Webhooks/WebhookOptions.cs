using System.ComponentModel.DataAnnotations;

namespace Judge.Api.Webhooks;

/// <summary>Configuration section "Webhooks": how completions are announced to callback URLs.</summary>
public sealed class WebhookOptions
{
    /// <summary>The Standard Webhooks signing secret, <c>whsec_</c> followed by base64 (the HMAC key is the decoded
    /// bytes). Empty: deliveries go out unsigned (a warning is logged at start).</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>Secrets of their own for some clients (an interview platform verifies with its own secret): a delivery
    /// for a submission made with <see cref="ClientSecret.ClientKey"/> is signed with its <see cref="ClientSecret.SigningSecret"/>.</summary>
    public List<ClientSecret> ClientSecrets { get; set; } = [];

    /// <summary>How long one attempt may take (connect, send, answer).</summary>
    [Range(1, 300)] public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Attempts of one delivery before it is given up (then it shows <c>failed</c>).</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 8;

    /// <summary>Backoff before the second attempt; it doubles per attempt up to <see cref="MaxBackoffSeconds"/>, and each
    /// wait is drawn uniformly below that bound (full jitter).</summary>
    [Range(0.01, 86_400)] public double InitialBackoffSeconds { get; set; } = 5;

    [Range(0.01, 86_400)] public double MaxBackoffSeconds { get; set; } = 3600;

    /// <summary>Allow callback URLs whose addresses are private, loopback, link-local or otherwise not public (a
    /// receiver on the same network). Off by default: such targets are refused (SSRF).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How often a sender looks for due deliveries when there were none.</summary>
    [Range(10, 60_000)] public int PollMilliseconds { get; set; } = 1000;

    /// <summary>Deliveries one sender claims and sends at once.</summary>
    [Range(1, 1000)] public int BatchSize { get; set; } = 16;

    /// <summary>A claimed delivery belongs to its sender this long (more than an attempt takes); a sender that died
    /// loses it to another after this.</summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(TimeoutSeconds * 2 + 5);
}

public sealed class ClientSecret
{
    public string ClientKey { get; set; } = "";
    public string SigningSecret { get; set; } = "";
}
