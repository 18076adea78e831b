using System.ComponentModel.DataAnnotations;

namespace Judge.Worker;

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
