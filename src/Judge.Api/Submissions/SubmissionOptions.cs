using System.ComponentModel.DataAnnotations;

namespace Judge.Api.Submissions;

/// <summary>Configuration section "Queue".</summary>
public sealed class QueueOptions
{
    /// <summary>Submissions waiting at most; beyond it POST /v1/submissions answers 503 with Retry-After.</summary>
    [Range(1, 1_000_000)] public int Capacity { get; set; } = 1000;

    /// <summary>Submissions graded at once.</summary>
    [Range(1, 256)] public int Workers { get; set; } = 2;

    /// <summary>Retry-After sent with 503 when the queue is full or the sandbox is not ready.</summary>
    [Range(1, 3600)] public int RetryAfterSeconds { get; set; } = 5;
}

/// <summary>Configuration section "Limits".</summary>
public sealed class LimitsOptions
{
    /// <summary>Largest candidate code in UTF-8 bytes (413 beyond).</summary>
    [Range(1, 16 * 1024 * 1024)] public int MaxCodeBytes { get; set; } = 64 * 1024;

    /// <summary>Largest stdin of an ad-hoc run in UTF-8 bytes (413 beyond).</summary>
    [Range(0, 16 * 1024 * 1024)] public int MaxStdinBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest wait of POST /v1/submissions?wait=true before it answers 202.</summary>
    [Range(0, 600)] public int WaitSeconds { get; set; } = 30;

    /// <summary>UTF-8 bytes stored and returned per test of each of expected, actual, difference, stdout and the error
    /// message; more is cut and named in the test's <c>truncated</c>.</summary>
    [Range(256, 16 * 1024 * 1024)] public int MaxShownBytes { get; set; } = 16 * 1024;
}
