using System.ComponentModel.DataAnnotations;

namespace Judge.Api.Submissions;

/// <summary>Configuration section "Limits".</summary>
public sealed class LimitsOptions
{
    /// <summary>Largest candidate code in UTF-8 bytes (413 beyond).</summary>
    [Range(1, 16 * 1024 * 1024)] public int MaxCodeBytes { get; set; } = 64 * 1024;

    /// <summary>Largest stdin of an ad-hoc run in UTF-8 bytes (413 beyond).</summary>
    [Range(0, 16 * 1024 * 1024)] public int MaxStdinBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest wait of POST /v1/submissions?wait=true before it answers 202.</summary>
    [Range(0, 600)] public int WaitSeconds { get; set; } = 30;
}

public static class LimitsSetup
{
    public static IHostApplicationBuilder AddSubmissionLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>().BindConfiguration("Limits").ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
