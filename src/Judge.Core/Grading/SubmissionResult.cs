using System.Text.Json.Nodes;
using Judge.Sandbox;

namespace Judge.Core.Grading;

public sealed record ErrorView(string Type, string Message, int? Line)
{
    public static ErrorView? From(RunError? e) => e is null ? null : new(e.Type, e.Message, e.Line);
}

/// <summary>One test's outcome. Hidden tests carry only name, concept, verdict and measurements.</summary>
public sealed record TestView(
    string Name, Verdict Verdict, bool Hidden, string? Concept, long TimeMs, long CpuMs, long MemoryKb,
    JsonNode? Expected, JsonNode? Actual, string? Difference, string? Stdout, ErrorView? Error)
{
    public static TestView From(TestOutcome t) => t.Hidden
        // Redacted here as well as in the grader: nothing about a hidden test's input or output leaves the API.
        ? new(t.Name, t.Verdict, true, t.Concept, t.TimeMs, t.CpuMs, t.MemoryKb, null, null, null, null, null)
        : new(t.Name, t.Verdict, false, t.Concept, t.TimeMs, t.CpuMs, t.MemoryKb,
            t.Expected?.DeepClone(), t.Actual?.DeepClone(), t.Difference, t.Stdout, ErrorView.From(t.Error));
}

/// <summary>The finished part of a submission, as stored.</summary>
public sealed record SubmissionResult(
    Verdict Verdict, int Passed, int Total, long TimeMs, long MemoryKb, IReadOnlyList<TestView> Tests, string? Takeaway)
{
    public static SubmissionResult From(Grade grade, string? takeaway) => new(
        grade.Verdict, grade.Passed, grade.Total, grade.TimeMs, grade.MemoryKb, [.. grade.Tests.Select(TestView.From)],
        grade.Verdict == Verdict.Accepted ? takeaway : null);

    public static SubmissionResult Internal(string message) =>
        new(Verdict.InternalError, 0, 0, 0, 0, [], null) { Message = message };

    /// <summary>Why the submission could not be graded (internal errors only).</summary>
    public string? Message { get; init; }
}
