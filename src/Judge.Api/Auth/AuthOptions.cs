using System.ComponentModel.DataAnnotations;

namespace Judge.Api.Auth;

/// <summary>Configuration section "Auth". Keys travel in the X-Api-Key header.</summary>
public sealed class AuthOptions
{
    public List<string> AdminKeys { get; set; } = [];
    public List<string> ClientKeys { get; set; } = [];

    /// <summary>Whether candidate endpoints may be used without a key (rate limited per IP).</summary>
    public bool AllowAnonymous { get; set; } = true;
}

/// <summary>Configuration section "RateLimit": fixed windows per key, or per IP when anonymous.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Submissions and ad-hoc runs allowed per client per window.</summary>
    [Range(1, 1_000_000)] public int SubmitPermitLimit { get; set; } = 30;

    /// <summary>Reads (problems, submission polling) allowed per client per window.</summary>
    [Range(1, 1_000_000)] public int ReadPermitLimit { get; set; } = 600;

    [Range(1, 3600)] public int WindowSeconds { get; set; } = 60;
}
