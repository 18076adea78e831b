using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Judge.Core.Problems;
using Judge.Core.Values;
using Judge.Sandbox;

namespace Judge.Core.Grading;

/// <summary>
/// Runs a problem's tests and compares on the trusted side. By default all tests go to one child (a fresh module per
/// test); a problem with <c>isolation: process</c> gets a fresh child per test.
/// </summary>
public sealed class Grader(ISandbox sandbox)
{
    const int MaxCachedReferences = 10_000;

    // The reference solution's results on the tests without expect/raises/stdout, per problem version.
    readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<RunResult>>>> _references = new();

    internal int CachedReferenceCount => _references.Count;

    /// <summary>
    /// Grades <paramref name="code"/> against <paramref name="problem"/>. With <paramref name="redactHidden"/> (the
    /// default) hidden tests carry only name, concept and verdict.
    /// </summary>
    public async Task<Grade> GradeAsync(Problem problem, string code, CancellationToken cancellationToken = default, bool redactHidden = true)
    {
        var expectations = ExpectationsAsync(problem, cancellationToken);
        IReadOnlyList<RunResult> runs;
        try
        {
            runs = await RunAllAsync(problem, code, problem.Tests, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            runs = [.. problem.Tests.Select(_ => RunResult.Internal($"the sandbox failed: {e.Message}"))];
        }
        var expected = await expectations;
        var outcomes = problem.Tests.Select((t, i) => Outcome(t, runs[i], expected[i])).ToList();
        var firstFailure = outcomes.FirstOrDefault(o => o.Verdict != Verdict.Accepted);
        return new Grade
        {
            Verdict = firstFailure?.Verdict ?? Verdict.Accepted,
            Passed = outcomes.Count(o => o.Verdict == Verdict.Accepted),
            Total = outcomes.Count,
            TimeMs = outcomes.Select(o => o.TimeMs).DefaultIfEmpty().Max(),
            MemoryKb = outcomes.Select(o => o.MemoryKb).DefaultIfEmpty().Max(),
            Tests = redactHidden ? [.. outcomes.Select(o => o.Hidden ? Redact(o) : o)] : outcomes,
        };
    }

    /// <summary>The tests' runs of <paramref name="code"/>: one batch, or one child per test (in order) for problems
    /// that need a fresh interpreter per test.</summary>
    async Task<IReadOnlyList<RunResult>> RunAllAsync(Problem problem, string code, IReadOnlyList<TestCase> tests, CancellationToken ct)
    {
        if (tests.Count == 0) return [];
        var batch = new BatchRequest(code, [.. tests.Select(t => new BatchTest(t.Setup, t.Expr, t.Stdin))])
        {
            Mode = problem.Mode, Limits = problem.Limits,
        };
        if (problem.Isolation == Isolation.Batch) return await sandbox.RunBatchAsync(batch, ct);
        var results = new List<RunResult>(tests.Count);
        for (var i = 0; i < tests.Count; i++) results.Add(await sandbox.RunAsync(batch.Single(i), ct));
        return results;
    }

    public static Verdict ToVerdict(RunStatus status) => status switch
    {
        RunStatus.Ok => Verdict.Accepted,
        RunStatus.RuntimeError => Verdict.RuntimeError,
        RunStatus.TimeLimitExceeded => Verdict.TimeLimitExceeded,
        RunStatus.MemoryLimitExceeded => Verdict.MemoryLimitExceeded,
        RunStatus.OutputLimitExceeded => Verdict.OutputLimitExceeded,
        RunStatus.CompilationError => Verdict.CompilationError,
        _ => Verdict.InternalError,
    };

    /// <summary>Does the raised exception satisfy <c>raises: name</c>? Matched by class name over the MRO, so subclasses count.</summary>
    public static bool Satisfies(RunError? error, string name)
    {
        if (error is null) return false;
        var wanted = LastSegment(name);
        return LastSegment(error.Type) == wanted || error.Bases.Any(b => LastSegment(b) == wanted);
        static string LastSegment(string s) => s[(s.LastIndexOf('.') + 1)..];
    }

    /// <summary>A test needs the reference solution when it states no expect, raises or stdout.</summary>
    public static bool NeedsReference(TestCase test) => !test.HasExpect && test.Raises is null && test.Stdout is null;

    static TestOutcome Redact(TestOutcome o) => new()
    {
        Name = o.Name, Verdict = o.Verdict, Hidden = true, Concept = o.Concept, TimeMs = o.TimeMs, CpuMs = o.CpuMs, MemoryKb = o.MemoryKb,
    };

    sealed record Expectation(PyValue? Value, string? Stdout, string? Error);

    static TestOutcome Outcome(TestCase test, RunResult run, Expectation expectation)
    {
        var outcome = new TestOutcome
        {
            Name = test.Name, Verdict = Verdict.Accepted, Hidden = test.Hidden, Concept = test.Concept,
            TimeMs = run.WallMs, CpuMs = run.CpuMs, MemoryKb = run.MemoryKb, Stdout = run.Stdout, Error = run.Error,
            Expected = expectation.Value is { } ev ? TaggedJson.ToJson(ev) : expectation.Stdout is { } es ? JsonValue.Create(es) : null,
        };
        if (expectation.Error is { } refError)
            return outcome with { Verdict = Verdict.InternalError, Difference = refError };

        switch (run.Status)
        {
            case RunStatus.Ok when test.Raises is not null:
                var returned = test.Expr is not null && TaggedJson.TryParse(run.Value, out var rv, out _, allowUnrepresentable: true)
                    ? $" (the expression returned {PyRepr.Short(rv)})" : "";
                return outcome with { Verdict = Verdict.WrongAnswer, Difference = $"expected {test.Raises} to be raised{returned}" };
            case RunStatus.Ok:
                break;
            case RunStatus.RuntimeError when test.Raises is not null && Satisfies(run.Error, test.Raises):
                return CompareStdout(outcome, test, expectation, run, valueCompared: false);
            case RunStatus.RuntimeError when test.Raises is not null:
                return outcome with { Verdict = Verdict.RuntimeError, Difference = $"expected {test.Raises} to be raised, got {run.Error?.Type ?? "an error"}" };
            default:
                return outcome with { Verdict = ToVerdict(run.Status) };
        }

        if (expectation.Value is { } expected)
        {
            if (!TaggedJson.TryParse(run.Value, out var actual, out var malformed, allowUnrepresentable: true))
                return outcome with { Verdict = Verdict.InternalError, Difference = $"the sandbox returned a malformed value: {malformed}" };
            outcome = outcome with { Actual = TaggedJson.ToJson(actual) };
            var check = Checkers.CompareValue(test.Checker, expected, actual, test.Tolerance);
            if (!check.Passed) return outcome with { Verdict = Verdict.WrongAnswer, Difference = check.Difference };
        }
        return CompareStdout(outcome, test, expectation, run, valueCompared: expectation.Value is not null);
    }

    static TestOutcome CompareStdout(TestOutcome outcome, TestCase test, Expectation expectation, RunResult run, bool valueCompared)
    {
        if (expectation.Stdout is not { } expected) return outcome;
        var check = Checkers.CompareStdout(test.Checker, expected, run.Stdout);
        return check.Passed
            ? outcome
            : outcome with { Verdict = Verdict.WrongAnswer, Difference = valueCompared ? $"stdout: {check.Difference}" : check.Difference };
    }

    /// <summary>What each test expects: stated in the problem, or what the reference solution produced (its runs made
    /// once per problem version, in one batch like any other code, and kept).</summary>
    async Task<Expectation[]> ExpectationsAsync(Problem problem, CancellationToken ct)
    {
        var expectations = new Expectation[problem.Tests.Count];
        var needing = new List<int>();
        for (var i = 0; i < problem.Tests.Count; i++)
        {
            var test = problem.Tests[i];
            if (NeedsReference(test)) { needing.Add(i); continue; }
            if (!test.HasExpect) expectations[i] = new Expectation(null, test.Stdout, null);
            else expectations[i] = TaggedJson.TryParse(test.Expect, out var value, out var error)
                ? new Expectation(value, test.Stdout, null)
                : new Expectation(null, null, $"the test's expected value is malformed: {error}");
        }
        if (needing.Count == 0) return expectations;

        var key = ReferenceKey(problem, needing);
        if (_references.Count >= MaxCachedReferences) _references.Clear();
        var tests = needing.Select(i => problem.Tests[i]).ToList();
        var lazy = _references.GetOrAdd(key, _ => new Lazy<Task<IReadOnlyList<RunResult>>>(
            () => RunAllAsync(problem, problem.Solution, tests, CancellationToken.None)));
        IReadOnlyList<RunResult> runs;
        try
        {
            // The shared runs are not cancelled with this grading; only this wait is.
            runs = await lazy.Value.WaitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _references.TryRemove(new(key, lazy));
            foreach (var i in needing) expectations[i] = new Expectation(null, null, $"the reference solution could not be run on this test: {e.Message}");
            return expectations;
        }
        if (runs.Any(r => r.Status != RunStatus.Ok)) _references.TryRemove(new(key, lazy)); // tried again next time
        for (var j = 0; j < needing.Count; j++) expectations[needing[j]] = FromReference(tests[j], runs[j]);
        return expectations;
    }

    static Expectation FromReference(TestCase test, RunResult run)
    {
        if (run.Status != RunStatus.Ok)
        {
            var why = run.Error is { } err ? $": {err.Type}: {err.Message}" : "";
            return new Expectation(null, null, $"the reference solution failed on this test ({run.Status.ToSnakeCase()}{why})");
        }
        PyValue? expected = null;
        if (test.Expr is not null)
        {
            if (!TaggedJson.TryParse(run.Value, out var v, out var error, allowUnrepresentable: true))
                return new Expectation(null, null, $"the reference solution's value is malformed: {error}");
            if (Unrepresentable(v) is { } u)
                return new Expectation(null, null, $"the reference solution returned a {u.TypeName} object, which cannot be compared; convert it in the expression");
            expected = v;
        }
        var stdout = test.Expr is null || test.Checker is CheckerKind.Text or CheckerKind.Tokens ? run.Stdout : null;
        return new Expectation(expected, stdout, null);
    }

    static PyUnrepresentable? Unrepresentable(PyValue v) => v switch
    {
        PyUnrepresentable u => u,
        PyCollection c => c.Items.Select(Unrepresentable).FirstOrDefault(x => x is not null),
        PyDict d => d.Items.Select(kv => Unrepresentable(kv.Key) ?? Unrepresentable(kv.Value)).FirstOrDefault(x => x is not null),
        _ => null,
    };

    static string ReferenceKey(Problem problem, IEnumerable<int> tests)
    {
        var text = string.Join('\0', [problem.Id, problem.Solution, problem.Mode, problem.Isolation, problem.Limits.TimeMs,
            problem.Limits.MemoryMb, .. tests.Select(i => problem.Tests[i]).Select(t => $"{t.Setup ?? "\u0001"}\0{t.Expr ?? "\u0001"}\0{t.Stdin ?? "\u0001"}")]);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
