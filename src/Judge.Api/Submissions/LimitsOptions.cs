using System.ComponentModel.DataAnnotations;

namespace Judge.Api.Submissions;

/// <summary>Configuration section "Limits": what one request may ask for.</summary>
public sealed class LimitsOptions
{
    /// <summary>Largest candidate code in UTF-8 bytes (413 beyond).</summary>
    [Range(1, 16 * 1024 * 1024)] public int MaxCodeBytes { get; set; } = 64 * 1024;

    /// <summary>Largest stdin of an ad-hoc run in UTF-8 bytes (413 beyond).</summary>
    [Range(0, 16 * 1024 * 1024)] public int MaxStdinBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest wait of POST /v1/submissions?wait=true before it answers 202.</summary>
    [Range(0, 600)] public int WaitSeconds { get; set; } = 30;

    /// <summary>Longest an ad-hoc run may wait in the queue before it answers 503 (its own time limits come on top).</summary>
    [Range(1, 600)] public int RunQueueSeconds { get; set; } = 60;

    /// <summary>Longest a problem validation (POST /v1/problems) may take before it answers 503.</summary>
    [Range(1, 3600)] public int ValidationSeconds { get; set; } = 300;
}

public static class SubmissionsSetup
{
    public static IHostApplicationBuilder AddSubmissions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>().BindConfiguration("Limits").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PendingRequests>();
        return builder;
    }
}
