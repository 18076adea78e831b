using System.Text.Json.Nodes;
using Judge.Core.Values;
using Judge.Sandbox;

namespace Judge.Core.Grading;

public sealed record ErrorView(string Type, string Message, int? Line)
{
    public static ErrorView? From(RunError? e) => e is null ? null : new(e.Type, e.Message, e.Line);
}

/// <summary>
/// One test's outcome. A hidden test carries only its name, verdict and concept (no input, output, error text or
/// measurement). <c>expected</c>, <c>actual</c>, <c>difference</c>, <c>stdout</c> and the error's message are stored and
/// returned up to <c>Limits:MaxShownBytes</c> each; <c>truncated</c> names the fields that were cut. A cut value is its
/// Python repr cut to the limit (ending with "..."), as a JSON string, not a tagged value.
/// </summary>
public sealed record TestView(
    string Name, Verdict Verdict, bool Hidden, string? Concept, long? TimeMs, long? CpuMs, long? MemoryKb,
    JsonNode? Expected, JsonNode? Actual, string? Difference, string? Stdout, ErrorView? Error, IReadOnlyList<string>? Truncated)
{
    public const string ExpectedField = "expected", ActualField = "actual", DifferenceField = "difference",
        StdoutField = "stdout", ErrorField = "error";

    public static TestView From(TestOutcome t, int maxShownBytes)
    {
        // Redacted here as well as in the grader: nothing about a hidden test's input, output or cost leaves the API.
        if (t.Hidden) return Redacted(t.Name, t.Verdict, t.Concept);
        var truncated = new List<string>();
        var expected = Shown.Value(t.Expected, maxShownBytes, out var cut);
        if (cut) truncated.Add(ExpectedField);
        var actual = Shown.Value(t.Actual, maxShownBytes, out cut);
        if (cut) truncated.Add(ActualField);
        var difference = Shown.Text(t.Difference, maxShownBytes, out cut);
        if (cut) truncated.Add(DifferenceField);
        var stdout = Shown.Text(t.Stdout, maxShownBytes, out cut);
        if (cut) truncated.Add(StdoutField);
        var error = ErrorView.From(t.Error);
        if (error is not null)
        {
            error = error with { Type = Shown.Text(error.Type, maxShownBytes, out var typeCut)!, Message = Shown.Text(error.Message, maxShownBytes, out cut)! };
            if (cut || typeCut) truncated.Add(ErrorField);
        }
        return new(t.Name, t.Verdict, false, t.Concept, t.TimeMs, t.CpuMs, t.MemoryKb, expected, actual, difference, stdout, error,
            truncated.Count == 0 ? null : truncated);
    }

    static TestView Redacted(string name, Verdict verdict, string? concept) =>
        new(name, verdict, true, concept, null, null, null, null, null, null, null, null, null);

    /// <summary>The view a client may see: a hidden test redacted again (results stored before redaction was complete).</summary>
    public TestView ForClient() => Hidden ? Redacted(Name, Verdict, Concept) : this;
}

/// <summary>The finished part of a submission, as stored.</summary>
public sealed record SubmissionResult(
    Verdict Verdict, int Passed, int Total, long TimeMs, long MemoryKb, IReadOnlyList<TestView> Tests, string? Takeaway)
{
    public static SubmissionResult From(Grade grade, string? takeaway, int maxShownBytes) => new(
        grade.Verdict, grade.Passed, grade.Total, grade.TimeMs, grade.MemoryKb, [.. grade.Tests.Select(t => TestView.From(t, maxShownBytes))],
        grade.Verdict == Verdict.Accepted ? takeaway : null);

    public static SubmissionResult Internal(string message) =>
        new(Verdict.InternalError, 0, 0, 0, 0, [], null) { Message = message };

    /// <summary>Why the submission could not be graded (internal errors only).</summary>
    public string? Message { get; init; }
}
