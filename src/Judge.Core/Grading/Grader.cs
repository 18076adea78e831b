using Judge.Core.Problems;
using Judge.Sandbox;

namespace Judge.Core.Grading;

/// <summary>Runs every test of a problem as its own sandbox run and compares on the trusted side.</summary>
public sealed class Grader(ISandbox sandbox)
{
    /// <summary>
    /// Grades <paramref name="code"/> against <paramref name="problem"/>. With <paramref name="redactHidden"/> (the
    /// default) hidden tests carry only name, concept, verdict and measurements.
    /// </summary>
    public Task<Grade> GradeAsync(Problem problem, string code, CancellationToken cancellationToken = default, bool redactHidden = true) =>
        throw new NotImplementedException(sandbox.ToString());
}
