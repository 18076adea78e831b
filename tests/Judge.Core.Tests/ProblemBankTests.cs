using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Core.Validation;
using Judge.Sandbox;
using Judge.Sandbox.Pool;
using FluentAssertions.Execution;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Judge.Core.Tests;

/// <summary>A real sandbox pool for the tests that grade real Python.</summary>
public sealed class RealSandboxFixture : IAsyncLifetime
{
    public SandboxPool Pool { get; } = new(Options.Create(new SandboxOptions { RunsPerHost = 4 }));
    public Grader Grader { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Pool.StartAsync(CancellationToken.None);
        await Pool.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Grader = new Grader(Pool);
    }

    public async Task DisposeAsync() => await Pool.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class RealSandboxCollection : ICollectionFixture<RealSandboxFixture>
{
    public const string Name = "real sandbox";
}

/// <summary>Every problem under problems/ is valid: solution accepted, starter rejected, every mutant rejected.</summary>
[Collection(RealSandboxCollection.Name)]
public sealed class ProblemBankTests(RealSandboxFixture fx, ITestOutputHelper output)
{
    static readonly string[] SeedTopics =
        ["list-vs-tuple", "gil-threads", "args-kwargs", "decorators", "static-class-methods", "generators", "async-await"];

    public static string ProblemsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "problems");
            if (File.Exists(Path.Combine(candidate, "README.md"))) return candidate;
        }
        throw new DirectoryNotFoundException("problems/ not found above " + AppContext.BaseDirectory);
    }

    public static TheoryData<string> ProblemFiles()
    {
        var root = ProblemsDirectory();
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [Theory(Timeout = 600_000)]
    [MemberData(nameof(ProblemFiles))]
    public async Task Problem_is_valid_and_gets_the_same_verdicts_in_both_isolation_modes(string file)
    {
        var loaded = ProblemLoader.LoadYamlFile(Path.Combine(ProblemsDirectory(), file));
        loaded.Errors.Should().BeEmpty();
        var report = await new ProblemValidator(fx.Grader).ValidateAsync(loaded.Problem!);
        foreach (var m in report.Mutants)
            output.WriteLine($"mutant '{m.Name}': {m.Verdict} by [{string.Join(", ", m.RejectedBy)}]");
        report.SolutionVerdict.Should().Be(Verdict.Accepted, string.Join("; ", report.Errors));
        report.StarterVerdict.Should().NotBe(Verdict.Accepted);
        report.Mutants.Should().OnlyContain(m => m.Verdict != Verdict.Accepted, string.Join("; ", report.Errors));
        report.Errors.Should().BeEmpty();

        // Process isolation decides the same, test by test, for the solution, the starter and every mutant: batch mode
        // (one child, a fresh module per test) is only faster. A problem where interpreter state surviving a test would
        // change a verdict is marked `isolation: process` and always graded that way (its thread races are not compared).
        if (loaded.Problem!.Isolation == Isolation.Process) return;
        var other = loaded.Problem! with { Isolation = Isolation.Process };
        using var scope = new AssertionScope();
        foreach (var (name, grade) in report.Grades)
        {
            var code = name switch
            {
                "solution" => other.Solution,
                "starter" => other.Starter,
                _ => other.Mutants.Single(m => name == $"mutant '{m.Name}'").Code,
            };
            var again = await fx.Grader.GradeAsync(other, code, redactHidden: false);
            again.Tests.Select(t => $"{t.Name}: {Comparable(t.Verdict)}").Should().Equal(grade.Tests.Select(t => $"{t.Name}: {Comparable(t.Verdict)}"),
                $"{name} gets the same verdict per test in {other.Isolation} mode as in {loaded.Problem!.Isolation} mode" +
                $" ({other.Isolation}: {string.Join("; ", again.Tests.Select(t => t.Difference ?? t.Error?.Message))})");
        }
    }

    /// <summary>A mutant that allocates without end (a list of every item of an endless iterator) runs out of time or of
    /// memory, whichever comes first on a machine that is busy or not, in either mode: both are a resource limit.</summary>
    static string Comparable(Verdict verdict) =>
        verdict is Verdict.TimeLimitExceeded or Verdict.MemoryLimitExceeded ? "time or memory limit exceeded" : verdict.ToString();

    [Fact]
    public void Bank_meets_the_quality_bar()
    {
        var results = ProblemLoader.LoadFolder(ProblemsDirectory());
        results.Should().OnlyContain(r => r.Ok, string.Join("\n", results.SelectMany(r => r.Errors)));
        var problems = results.Select(r => r.Problem!).ToList();

        foreach (var p in problems)
        {
            p.Tests.Should().HaveCountGreaterThanOrEqualTo(6, p.Id);
            p.Tests.Count(t => t.Hidden).Should().BeGreaterThanOrEqualTo(2, p.Id);
            p.Mutants.Should().NotBeEmpty(p.Id);
            p.Takeaway.Should().NotBeNullOrWhiteSpace(p.Id);
            (p.Statement.Contains("xample", StringComparison.Ordinal) || p.Statement.Contains(">>>", StringComparison.Ordinal))
                .Should().BeTrue($"{p.Id} has a worked example");
        }
        problems.Should().HaveCountGreaterThanOrEqualTo(60);
        problems.Select(p => p.Topic).Distinct().Should().HaveCountGreaterThanOrEqualTo(40);
        foreach (var topic in SeedTopics)
            problems.Count(p => p.Topic == topic).Should().BeGreaterThanOrEqualTo(3, topic);
        foreach (var difficulty in Enum.GetValues<Difficulty>())
            problems.Count(p => p.Difficulty == difficulty).Should().BeGreaterThanOrEqualTo(problems.Count / 4, $"roughly a third are {difficulty}");
    }
}
