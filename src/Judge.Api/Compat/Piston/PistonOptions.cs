using System.ComponentModel.DataAnnotations;

namespace Judge.Api.Compat.Piston;

/// <summary>Configuration section "Piston": the configured run limits Piston reports and enforces (its defaults).
/// A request's own limits may not exceed them; Judge's run bounds then apply (time 50–10,000 ms, memory 16–512 MB).</summary>
public sealed class PistonOptions
{
    /// <summary>Wall-clock limit of a run in ms: the default and the largest <c>run_timeout</c> accepted.</summary>
    [Range(1, 60_000)] public int RunTimeoutMs { get; set; } = 3000;

    /// <summary>CPU-time limit of a run in ms: the default and the largest <c>run_cpu_time</c> accepted.</summary>
    [Range(1, 60_000)] public int RunCpuTimeMs { get; set; } = 3000;

    /// <summary>Memory limit of a run in bytes: the largest <c>run_memory_limit</c> accepted; -1 (Piston's default)
    /// sets no maximum, and a run without its own limit then gets Judge's largest memory budget.</summary>
    [Range(-1, long.MaxValue)] public long RunMemoryLimitBytes { get; set; } = -1;
}
