using System.ComponentModel.DataAnnotations;

namespace Judge.Worker;

/// <summary>Configuration section "Limits", the part a worker reads: how much of each test's result is stored.</summary>
public sealed class ShownOptions
{
    /// <summary>UTF-8 bytes stored and returned per test of each of expected, actual, difference, stdout and the error
    /// message; more is cut and named in the test's <c>truncated</c>.</summary>
    [Range(256, 16 * 1024 * 1024)] public int MaxShownBytes { get; set; } = 16 * 1024;
}
