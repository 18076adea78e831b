using Judge.Core.Values;
using Judge.Sandbox;

namespace Judge.Core.Grading;

public enum Verdict
{
    Accepted,
    WrongAnswer,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    RuntimeError,
    CompilationError,
    InternalError,
}

/// <summary>
/// One test's outcome. Redacted (hidden tests, by default) only Name, Hidden, Concept and Verdict are set: not even the
/// measurements, which could tell what a hidden input does.
/// </summary>
public sealed record TestOutcome
{
    public required string Name { get; init; }
    public required Verdict Verdict { get; init; }
    public bool Hidden { get; init; }
    public string? Concept { get; init; }
    public long TimeMs { get; init; }
    public long CpuMs { get; init; }
    public long MemoryKb { get; init; }
    /// <summary>The expected value, or the expected printed output as a str.</summary>
    public PyValue? Expected { get; init; }
    public PyValue? Actual { get; init; }
    /// <summary>Where expected and actual differ, e.g. "index 3: expected 5, got 6".</summary>
    public string? Difference { get; init; }
    public string? Stdout { get; init; }
    public RunError? Error { get; init; }
}

public sealed record Grade
{
    public required Verdict Verdict { get; init; }
    public int Passed { get; init; }
    public int Total { get; init; }
    public long TimeMs { get; init; }
    public long MemoryKb { get; init; }
    public IReadOnlyList<TestOutcome> Tests { get; init; } = [];
}
