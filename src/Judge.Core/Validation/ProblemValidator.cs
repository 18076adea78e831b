using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Sandbox;

namespace Judge.Core.Validation;

public sealed record MutantReport(string Name, Verdict Verdict, IReadOnlyList<string> RejectedBy);

public sealed record ValidationReport(
    string ProblemId, IReadOnlyList<ProblemError> Errors, Verdict? SolutionVerdict, Verdict? StarterVerdict,
    IReadOnlyList<MutantReport> Mutants)
{
    public bool Valid => Errors.Count == 0;

    /// <summary>The bank's quality bar, not met (fewer than 6 tests, ...). Printed by the validate command; never invalidating.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The grades behind the report, hidden tests unredacted: "solution", "starter", then each mutant by name.</summary>
    public IReadOnlyList<(string Name, Grade Grade)> Grades { get; init; } = [];
}

/// <summary>A problem is valid when its solution is accepted, its starter is not and every mutant is rejected.</summary>
public sealed class ProblemValidator(Grader grader)
{
    public async Task<ValidationReport> ValidateAsync(Problem problem, CancellationToken cancellationToken = default)
    {
        var file = problem.Source is "" or "api" ? null : problem.Source;
        var solutionTask = grader.GradeAsync(problem, problem.Solution, cancellationToken, redactHidden: false);
        var starterTask = grader.GradeAsync(problem, problem.Starter, cancellationToken, redactHidden: false);
        var mutantTasks = problem.Mutants.Select(m => grader.GradeAsync(problem, m.Code, cancellationToken, redactHidden: false)).ToList();
        var solution = await solutionTask;
        var starter = await starterTask;
        var mutantGrades = await Task.WhenAll(mutantTasks);

        var errors = new List<ProblemError>();
        foreach (var t in solution.Tests.Where(t => t.Verdict != Verdict.Accepted))
            errors.Add(new ProblemError("solution", $"not accepted: test '{t.Name}': {Describe(t)}", file));

        if (starter.Verdict == Verdict.Accepted)
            errors.Add(new ProblemError("starter", "accepted by every test; the starter must fail at least one", file));
        else if (starter.Verdict == Verdict.CompilationError)
            errors.Add(new ProblemError("starter", $"does not compile: {Describe(starter.Tests.First(t => t.Verdict != Verdict.Accepted))}", file));

        var mutants = new List<MutantReport>();
        for (var i = 0; i < mutantGrades.Length; i++)
        {
            var g = mutantGrades[i];
            var rejectedBy = g.Tests.Where(t => t.Verdict != Verdict.Accepted).Select(t => t.Name).ToList();
            mutants.Add(new MutantReport(problem.Mutants[i].Name, g.Verdict, rejectedBy));
            if (g.Verdict == Verdict.Accepted)
                errors.Add(new ProblemError($"mutants[{i}]", $"'{problem.Mutants[i].Name}' is accepted by every test; add a test that rejects it", file));
        }
        var warnings = QualityWarnings(problem).ToList();
        var slow = solution.Tests.Where(t => t.CpuMs * 5 > problem.Limits.TimeMs).MaxBy(t => t.CpuMs);
        if (slow is not null)
            warnings.Add($"the solution used {slow.CpuMs} ms CPU on test '{slow.Name}', over 20 % of the {problem.Limits.TimeMs} ms limit");
        IReadOnlyList<(string, Grade)> grades =
            [("solution", solution), ("starter", starter), .. problem.Mutants.Select((m, i) => ($"mutant '{m.Name}'", mutantGrades[i]))];
        return new ValidationReport(problem.Id, errors, solution.Verdict, starter.Verdict, mutants) { Warnings = warnings, Grades = grades };
    }

    /// <summary>Quality-bar checks that need no run: at least 6 tests, 2 hidden, 1 mutant, a takeaway.</summary>
    public static IEnumerable<string> QualityWarnings(Problem problem)
    {
        if (problem.Tests.Count < 6) yield return $"{problem.Tests.Count} tests (the bar is at least 6)";
        var hidden = problem.Tests.Count(t => t.Hidden);
        if (hidden < 2) yield return $"{hidden} hidden tests (the bar is at least 2)";
        if (problem.Mutants.Count == 0) yield return "no mutants (the bar is at least one per concept tested)";
        if (string.IsNullOrWhiteSpace(problem.Takeaway)) yield return "no takeaway";
    }

    static string Describe(TestOutcome t)
    {
        var detail = t.Difference ?? (t.Error is { } e ? $"{e.Type}: {e.Message}{(e.Line is { } l ? $" (line {l})" : "")}" : null);
        return detail is null ? t.Verdict.ToSnakeCase() : $"{t.Verdict.ToSnakeCase()}: {detail}";
    }
}

/// <summary>The "validate" command: validates a folder of problems and prints a table; exit code 0 when all are valid.</summary>
public static class ValidateCommand
{
    public static async Task<int> RunAsync(string folder, ISandbox sandbox, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(folder))
        {
            await output.WriteLineAsync($"error: no such folder '{folder}'");
            return 1;
        }
        var loaded = ProblemLoader.LoadFolder(folder);
        var failedLoads = loaded.Where(r => !r.Ok).ToList();
        foreach (var error in failedLoads.SelectMany(r => r.Errors))
            await output.WriteLineAsync(error.ToString());
        if (failedLoads.Count > 0) await output.WriteLineAsync();

        var problems = loaded.Where(r => r.Ok).Select(r => r.Problem!).ToList();
        var validator = new ProblemValidator(new Grader(sandbox));
        var reports = await Task.WhenAll(problems.Select(p => validator.ValidateAsync(p, cancellationToken)));

        string[] header = ["id", "topic", "difficulty", "tests", "hidden", "mutants", "result"];
        var rows = problems.Zip(reports, (p, r) => new[]
        {
            p.Id, p.Topic, p.Difficulty.ToString().ToLowerInvariant(), p.Tests.Count.ToString(),
            p.Tests.Count(t => t.Hidden).ToString(), p.Mutants.Count.ToString(),
            (r.Valid ? "ok" : $"INVALID ({r.Errors.Count})") + (r.Warnings.Count > 0 ? $", {r.Warnings.Count} warning(s)" : ""),
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
        await output.WriteLineAsync(Line(header));
        await output.WriteLineAsync(Line(widths.Select(w => new string('-', w)).ToArray()));
        foreach (var row in rows) await output.WriteLineAsync(Line(row));

        var invalid = reports.Where(r => !r.Valid).ToList();
        if (reports.Any(r => !r.Valid || r.Warnings.Count > 0)) await output.WriteLineAsync();
        foreach (var r in reports)
        {
            foreach (var e in r.Errors) await output.WriteLineAsync($"{r.ProblemId}: {e}");
            foreach (var w in r.Warnings) await output.WriteLineAsync($"{r.ProblemId}: warning: {w}");
        }

        var valid = reports.Length - invalid.Count;
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            $"{problems.Count + failedLoads.Count} problem file(s): {valid} valid, {invalid.Count} invalid, {failedLoads.Count} failed to load");
        if (problems.Count + failedLoads.Count == 0) await output.WriteLineAsync($"error: no problems found under '{folder}'");
        return valid > 0 && invalid.Count == 0 && failedLoads.Count == 0 ? 0 : 1;
    }
}
