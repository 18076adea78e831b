using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Core.Validation;
using Judge.Sandbox;
using static Judge.Core.Tests.FakeSandbox;

namespace Judge.Core.Tests;

public class ValidatorTests
{
    // Stands in for Python on LoaderTests.Valid: add(a, b) by code, without evaluating anything.
    static RunResult Emulate(RunRequest r)
    {
        var (a, b) = r.Expr switch { "add(1, 2)" => (1, 2), "add(10, 20)" => (10, 20), _ => (0, 0) };
        return r.Code switch
        {
            var c when c.Contains("a + b") => Ok((a + b).ToString()),
            var c when c.Contains("a - b") => Ok((a - b).ToString()),
            var c when c.Contains("a * b") => Ok((a * b).ToString()),
            var c when c.Contains("abs(a) + b") => Ok((Math.Abs(a) + b).ToString()),
            var c when c.Contains("def add(a, b):") => Raised("NotImplementedError", "RuntimeError"),
            _ => new RunResult { Status = RunStatus.CompilationError, Error = new RunError("SyntaxError", "invalid syntax", Line: 1) },
        };
    }

    static Problem Load(string yaml)
    {
        yaml.Should().NotBe(LoaderTests.Valid, "the test must change the problem");
        return ProblemLoader.ParseYaml(yaml, "problems/basics/add-two.yaml").Problem!;
    }

    [Fact]
    public async Task Valid_problem_reports_who_rejected_each_mutant()
    {
        var problem = ProblemLoader.ParseYaml(LoaderTests.Valid, "problems/basics/add-two.yaml").Problem!;
        var report = await new ProblemValidator(new Grader(new FakeSandbox(Emulate))).ValidateAsync(problem);

        report.Valid.Should().BeTrue(string.Join("; ", report.Errors));
        report.ProblemId.Should().Be("add-two");
        report.SolutionVerdict.Should().Be(Verdict.Accepted);
        report.StarterVerdict.Should().Be(Verdict.RuntimeError);
        report.Mutants.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new MutantReport("subtracts", Verdict.WrongAnswer, ["small", "computed"]));
        report.Warnings.Should().Equal("2 tests (the bar is at least 6)", "1 hidden tests (the bar is at least 2)");
    }

    [Fact]
    public async Task Slow_solution_is_a_warning()
    {
        var problem = ProblemLoader.ParseYaml(LoaderTests.Valid, "problems/basics/add-two.yaml").Problem!;
        var sandbox = new FakeSandbox(r => Emulate(r) with { CpuMs = r.Code == problem.Solution && r.Expr == "add(10, 20)" ? 300 : 10 });
        var report = await new ProblemValidator(new Grader(sandbox)).ValidateAsync(problem);
        report.Valid.Should().BeTrue();
        report.Warnings.Should().Contain("the solution used 300 ms CPU on test 'computed', over 20 % of the 1000 ms limit");
    }

    [Fact]
    public async Task Accepted_mutant_and_starter_make_the_problem_invalid()
    {
        var yaml = LoaderTests.Valid
            .Replace("      raise NotImplementedError", "      return a + b")
            .Replace("          return a - b", "          return abs(a) + b");
        var report = await new ProblemValidator(new Grader(new FakeSandbox(Emulate))).ValidateAsync(Load(yaml));

        report.Valid.Should().BeFalse();
        report.Errors.Select(e => e.ToString()).Should().BeEquivalentTo(
            "problems/basics/add-two.yaml: starter: accepted by every test; the starter must fail at least one",
            "problems/basics/add-two.yaml: mutants[0]: 'subtracts' is accepted by every test; add a test that rejects it");
        report.Mutants[0].RejectedBy.Should().BeEmpty();
    }

    [Fact]
    public async Task Wrong_solution_names_the_failing_test()
    {
        var yaml = LoaderTests.Valid.Replace("      return a + b", "      return a * b");
        var report = await new ProblemValidator(new Grader(new FakeSandbox(Emulate))).ValidateAsync(Load(yaml));

        report.SolutionVerdict.Should().Be(Verdict.WrongAnswer);
        report.Errors.Should().ContainSingle(e => e.Field == "solution")
            .Which.Message.Should().Be("not accepted: test 'small': wrong_answer: expected 3, got 2");
    }

    [Fact]
    public async Task Starter_that_does_not_compile_is_reported()
    {
        var yaml = LoaderTests.Valid.Replace("  def add(a, b):\n      raise", "  def add(a, b)\n      raise");
        var report = await new ProblemValidator(new Grader(new FakeSandbox(Emulate))).ValidateAsync(Load(yaml));
        report.StarterVerdict.Should().Be(Verdict.CompilationError);
        report.Errors.Should().ContainSingle().Which.Message.Should().StartWith("does not compile: compilation_error: SyntaxError: invalid syntax (line 1)");
    }

    [Fact]
    public async Task Validate_command_prints_a_table_and_exits_zero_when_all_are_valid()
    {
        var root = Directory.CreateTempSubdirectory("judge-validate-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "basics"));
            File.WriteAllText(Path.Combine(root, "basics", "add-two.yaml"), LoaderTests.Valid);
            var output = new StringWriter();

            var code = await ValidateCommand.RunAsync(root, new FakeSandbox(Emulate), output);

            code.Should().Be(0, output.ToString());
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines[0].Should().MatchRegex("^id +topic +difficulty +tests +hidden +mutants +result$");
            lines.Should().Contain(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^add-two +basics +easy +2 +1 +1 +ok, 2 warning\\(s\\)$"));
            lines.Should().Contain("add-two: warning: 2 tests (the bar is at least 6)");
            lines[^1].Should().Be("1 problem file(s): 1 valid, 0 invalid, 0 failed to load");

            File.WriteAllText(Path.Combine(root, "basics", "broken.yaml"), LoaderTests.Valid.Replace("id: add-two", "id: broken").Replace("difficulty: easy", "difficulty: easyy"));
            output = new StringWriter();
            (await ValidateCommand.RunAsync(root, new FakeSandbox(Emulate), output)).Should().Be(1);
            output.ToString().Should().Contain(Path.Combine(root, "basics", "broken.yaml") + ":4: difficulty: unknown difficulty 'easyy'");
            output.ToString().Should().Contain("2 problem file(s): 1 valid, 0 invalid, 1 failed to load");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_command_fails_for_invalid_problems_and_empty_folders()
    {
        var root = Directory.CreateTempSubdirectory("judge-validate-").FullName;
        try
        {
            var output = new StringWriter();
            (await ValidateCommand.RunAsync(root, new FakeSandbox(Emulate), output)).Should().Be(1);
            output.ToString().Should().Contain("no problems found");

            Directory.CreateDirectory(Path.Combine(root, "basics"));
            File.WriteAllText(Path.Combine(root, "basics", "add-two.yaml"), LoaderTests.Valid.Replace("          return a - b", "          return abs(a) + b"));
            output = new StringWriter();
            (await ValidateCommand.RunAsync(root, new FakeSandbox(Emulate), output)).Should().Be(1);
            output.ToString().Should().Contain("INVALID (1)").And.Contain("add-two: ").And.Contain("mutants[0]: 'subtracts' is accepted");

            (await ValidateCommand.RunAsync(Path.Combine(root, "nope"), new FakeSandbox(Emulate), new StringWriter())).Should().Be(1);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
