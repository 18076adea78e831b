using Judge.Core.Grading;
using Judge.Core.Problems;

namespace Judge.Core.Validation;

public sealed record MutantReport(string Name, Verdict Verdict, IReadOnlyList<string> RejectedBy);

public sealed record ValidationReport(
    string ProblemId, IReadOnlyList<ProblemError> Errors, Verdict? SolutionVerdict, Verdict? StarterVerdict,
    IReadOnlyList<MutantReport> Mutants)
{
    public bool Valid => Errors.Count == 0;
}

/// <summary>A problem is valid when its solution is accepted, its starter is not and every mutant is rejected.</summary>
public sealed class ProblemValidator(Grader grader)
{
    public Task<ValidationReport> ValidateAsync(Problem problem, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException(grader.ToString());
}

/// <summary>The "validate" command: validates a folder of problems and prints a table; exit code 0 when all are valid.</summary>
public static class ValidateCommand
{
    public static Task<int> RunAsync(string folder, Judge.Sandbox.ISandbox sandbox, TextWriter output, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
