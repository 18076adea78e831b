using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Sandbox;
using static Judge.Core.Tests.FakeSandbox;

namespace Judge.Core.Tests;

public class GraderTests
{
    const string Candidate = "candidate code";
    const string Solution = "solution code";

    static Problem MakeProblem(params TestCase[] tests) => new()
    {
        Id = "p", Title = "P", Topic = "t", Statement = "s", Solution = Solution, Starter = "starter", Tests = tests,
        Limits = new ResourceLimits(700, 32),
    };

    static TestCase Expect(string name, string expr, string expectJson, bool hidden = false) => new()
    {
        Name = name, Expr = expr, Expect = System.Text.Json.Nodes.JsonNode.Parse(expectJson), HasExpect = true, Hidden = hidden,
    };

    [Fact]
    public async Task Matching_values_are_accepted_and_measurements_are_maxima()
    {
        var sandbox = new FakeSandbox(r => r.Expr == "a" ? Ok("[1, 2]", wallMs: 9, memoryKb: 50) : Ok("\"x\"", wallMs: 4, memoryKb: 300));
        var grade = await new Grader(sandbox).GradeAsync(MakeProblem(Expect("a", "a", "[1, 2]"), Expect("b", "b", "\"x\"")), Candidate);

        grade.Verdict.Should().Be(Verdict.Accepted);
        grade.Passed.Should().Be(2);
        grade.Total.Should().Be(2);
        grade.TimeMs.Should().Be(9);
        grade.MemoryKb.Should().Be(300);
        grade.Tests[0].Actual!.ToJsonString().Should().Be("[1,2]");
        grade.Tests[0].CpuMs.Should().Be(4);
    }

    [Fact]
    public async Task Each_test_is_its_own_run_with_the_problem_settings()
    {
        var sandbox = new FakeSandbox(_ => Ok("1"));
        var problem = MakeProblem(Expect("a", "f()", "1") with { Setup = "x = 1", Stdin = "in" }) with { Mode = RunMode.Script };
        await new Grader(sandbox).GradeAsync(problem, Candidate);

        var call = sandbox.Calls.Should().ContainSingle().Subject;
        call.Should().Be(new RunRequest(Candidate) { Setup = "x = 1", Expr = "f()", Stdin = "in", Mode = RunMode.Script, Limits = new ResourceLimits(700, 32) });
    }

    [Fact]
    public async Task A_submissions_tests_go_to_the_sandbox_as_one_batch_in_test_order()
    {
        var sandbox = new FakeSandbox(_ => Ok("1"));
        var grade = await new Grader(sandbox).GradeAsync(MakeProblem(Expect("a", "x", "1"), Expect("b", "y", "1"), Expect("c", "z", "1")), Candidate);
        grade.Verdict.Should().Be(Verdict.Accepted);
        var batch = sandbox.Batches.Should().ContainSingle().Subject;
        batch.Code.Should().Be(Candidate);
        batch.Tests.Select(t => t.Expr).Should().Equal("x", "y", "z");
        batch.Limits.Should().Be(new ResourceLimits(700, 32));
    }

    [Fact]
    public async Task A_process_isolated_problem_runs_each_test_in_a_child_of_its_own_in_order()
    {
        var sandbox = new FakeSandbox(_ => Ok("1"));
        var problem = MakeProblem(Expect("a", "x", "1"), Expect("b", "y", "1")) with { Isolation = Isolation.Process };
        var grade = await new Grader(sandbox).GradeAsync(problem, Candidate);
        grade.Verdict.Should().Be(Verdict.Accepted);
        sandbox.Batches.Should().BeEmpty();
        sandbox.Calls.Select(c => c.Expr).Should().Equal("x", "y");
    }

    [Fact]
    public async Task Submission_verdict_is_the_first_failing_test_in_test_order()
    {
        // Test "b" fails with a wrong answer but finishes last; "c" times out first.
        var sandbox = new FakeSandbox(r => r.Expr switch
        {
            "b" => Ok("2"),
            "c" => Status(RunStatus.TimeLimitExceeded),
            _ => Ok("1"),
        })
        { Delay = r => r.Expr == "b" ? TimeSpan.FromMilliseconds(100) : TimeSpan.Zero };
        var grade = await new Grader(sandbox).GradeAsync(MakeProblem(Expect("a", "a", "1"), Expect("b", "b", "1"), Expect("c", "c", "1")), Candidate);

        grade.Verdict.Should().Be(Verdict.WrongAnswer);
        grade.Passed.Should().Be(1);
        grade.Tests.Select(t => t.Name).Should().Equal("a", "b", "c");
        grade.Tests.Select(t => t.Verdict).Should().Equal(Verdict.Accepted, Verdict.WrongAnswer, Verdict.TimeLimitExceeded);
        grade.Tests[1].Difference.Should().Be("expected 1, got 2");
    }

    [Theory]
    [InlineData(RunStatus.TimeLimitExceeded, Verdict.TimeLimitExceeded)]
    [InlineData(RunStatus.MemoryLimitExceeded, Verdict.MemoryLimitExceeded)]
    [InlineData(RunStatus.OutputLimitExceeded, Verdict.OutputLimitExceeded)]
    [InlineData(RunStatus.CompilationError, Verdict.CompilationError)]
    [InlineData(RunStatus.InternalError, Verdict.InternalError)]
    [InlineData(RunStatus.RuntimeError, Verdict.RuntimeError)]
    public async Task Run_status_maps_to_verdict(RunStatus status, Verdict verdict)
    {
        var grade = await new Grader(new FakeSandbox(_ => Status(status))).GradeAsync(MakeProblem(Expect("a", "a", "1")), Candidate);
        grade.Verdict.Should().Be(verdict);
        grade.Tests[0].Verdict.Should().Be(verdict);
    }

    [Fact]
    public async Task Raises_accepts_the_class_or_a_subclass_by_its_bases()
    {
        var raises = new TestCase { Name = "r", Expr = "f(-1)", Raises = "ValueError" };
        var sandbox = new FakeSandbox(r => r.Code switch
        {
            "direct" => Raised("ValueError"),
            "subclass" => Raised("solution.NegativeError", "solution.MyBase", "ValueError"),
            "other" => Raised("TypeError"),
            _ => Ok("null"),
        });
        var grader = new Grader(sandbox);
        var problem = MakeProblem(raises);

        (await grader.GradeAsync(problem, "direct")).Verdict.Should().Be(Verdict.Accepted);
        (await grader.GradeAsync(problem, "subclass")).Verdict.Should().Be(Verdict.Accepted);
        var other = await grader.GradeAsync(problem, "other");
        other.Verdict.Should().Be(Verdict.RuntimeError);
        other.Tests[0].Difference.Should().Be("expected ValueError to be raised, got TypeError");
        var normal = await grader.GradeAsync(problem, "returns");
        normal.Verdict.Should().Be(Verdict.WrongAnswer);
        normal.Tests[0].Difference.Should().StartWith("expected ValueError to be raised");
    }

    [Fact]
    public void Qualified_raises_names_match_by_class_name()
    {
        Grader.Satisfies(new RunError("JSONDecodeError", "x") { Bases = ["json.decoder.JSONDecodeError", "ValueError"] }, "json.JSONDecodeError")
            .Should().BeTrue();
        Grader.Satisfies(new RunError("KeyError", "x") { Bases = ["KeyError", "LookupError"] }, "IndexError").Should().BeFalse();
        Grader.Satisfies(null, "ValueError").Should().BeFalse();
    }

    [Fact]
    public async Task Unrepresentable_value_is_a_wrong_answer_naming_the_type()
    {
        var sandbox = new FakeSandbox(_ => Ok("""{"$unrepresentable": "Counter"}"""));
        var grade = await new Grader(sandbox).GradeAsync(MakeProblem(Expect("a", "a", """{"a": 1}""")), Candidate);
        grade.Verdict.Should().Be(Verdict.WrongAnswer);
        grade.Tests[0].Difference.Should().Contain("Counter").And.Contain("cannot be returned as data");
    }

    [Fact]
    public async Task Malformed_values_from_the_sandbox_are_internal_errors()
    {
        var sandbox = new FakeSandbox(_ => Ok("""{"$weird": 1}"""));
        var grade = await new Grader(sandbox).GradeAsync(MakeProblem(Expect("a", "a", "1")), Candidate);
        grade.Verdict.Should().Be(Verdict.InternalError);
        grade.Tests[0].Difference.Should().Contain("malformed");
    }

    [Fact]
    public async Task Hidden_tests_are_redacted_unless_asked_not_to()
    {
        var sandbox = new FakeSandbox(_ => Ok("2", stdout: "secret") with { Error = new RunError("X", "y") });
        var problem = MakeProblem(Expect("shown", "a", "1"), Expect("kept", "a", "1", hidden: true) with { Concept = "edge" });
        var grade = await new Grader(sandbox).GradeAsync(problem, Candidate);

        var hidden = grade.Tests[1];
        hidden.Should().BeEquivalentTo(new TestOutcome
        {
            Name = "kept", Verdict = Verdict.WrongAnswer, Hidden = true, Concept = "edge", TimeMs = 5, CpuMs = 4, MemoryKb = 100,
        });
        grade.Tests[0].Expected!.ToJsonString().Should().Be("1");
        grade.Tests[0].Actual!.ToJsonString().Should().Be("2");
        grade.Tests[0].Stdout.Should().Be("secret");
        grade.Tests[0].Difference.Should().Be("expected 1, got 2");

        var full = await new Grader(sandbox).GradeAsync(problem, Candidate, redactHidden: false);
        full.Tests[1].Difference.Should().Be("expected 1, got 2");
        full.Tests[1].Expected.Should().NotBeNull();
    }

    [Fact]
    public async Task Expected_values_come_from_the_solution_once_per_test()
    {
        var sandbox = new FakeSandbox(r => r.Code == Solution ? Ok(r.Expr == "a" ? "[1, 2]" : "3") : Ok(r.Expr == "a" ? "[1, 2]" : "4"));
        var problem = MakeProblem(new TestCase { Name = "a", Expr = "a" }, new TestCase { Name = "b", Expr = "b" });
        var grader = new Grader(sandbox);

        var first = await grader.GradeAsync(problem, Candidate);
        var second = await grader.GradeAsync(problem, Candidate);

        sandbox.CallsWith(Solution).Should().Be(2);
        sandbox.CallsWith(Candidate).Should().Be(4);
        first.Tests[0].Verdict.Should().Be(Verdict.Accepted);
        first.Tests[1].Difference.Should().Be("expected 3, got 4");
        second.Tests[1].Expected!.ToJsonString().Should().Be("3");
        grader.CachedReferenceCount.Should().Be(1, "the solution's runs on a problem's tests are one batch, kept per problem version");
    }

    [Fact]
    public async Task Concurrent_gradings_share_one_solution_run()
    {
        var sandbox = new FakeSandbox(_ => Ok("1")) { Delay = r => r.Code == Solution ? TimeSpan.FromMilliseconds(50) : TimeSpan.Zero };
        var problem = MakeProblem(new TestCase { Name = "a", Expr = "a" });
        var grader = new Grader(sandbox);
        var grades = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => grader.GradeAsync(problem, Candidate)));
        grades.Should().OnlyContain(g => g.Verdict == Verdict.Accepted);
        sandbox.CallsWith(Solution).Should().Be(1);
    }

    [Fact]
    public async Task A_failing_solution_run_is_an_internal_error_and_is_retried_later()
    {
        var solutionRuns = 0;
        var sandbox = new FakeSandbox(r => r.Code == Solution
            ? Interlocked.Increment(ref solutionRuns) == 1 ? Raised("ZeroDivisionError") : Ok("5")
            : Ok("5"));
        var problem = MakeProblem(new TestCase { Name = "a", Expr = "a" });
        var grader = new Grader(sandbox);

        var first = await grader.GradeAsync(problem, Candidate, redactHidden: false);
        first.Verdict.Should().Be(Verdict.InternalError);
        first.Tests[0].Difference.Should().Be("the reference solution failed on this test (runtime_error: ZeroDivisionError: boom)");

        (await grader.GradeAsync(problem, Candidate)).Verdict.Should().Be(Verdict.Accepted);
        solutionRuns.Should().Be(2);
    }

    [Fact]
    public async Task Unrepresentable_solution_value_is_an_internal_error()
    {
        var sandbox = new FakeSandbox(_ => Ok("""{"$unrepresentable": "generator"}"""));
        var grade = await new Grader(sandbox).GradeAsync(MakeProblem(new TestCase { Name = "a", Expr = "a" }), Candidate);
        grade.Verdict.Should().Be(Verdict.InternalError);
        grade.Tests[0].Difference.Should().Contain("generator");
    }

    [Fact]
    public async Task Script_tests_compare_stdout_from_the_solution_with_their_checker()
    {
        var sandbox = new FakeSandbox(r => r.Code == Solution ? Ok("null", stdout: "1 2\n3\n") : Ok("null", stdout: r.Stdin == "x" ? "1  2 3" : "1 2 4\n"));
        var problem = MakeProblem(
            new TestCase { Name = "tokens", Stdin = "x", Checker = CheckerKind.Tokens },
            new TestCase { Name = "exact", Stdin = "y" }) with { Mode = RunMode.Script };
        var grade = await new Grader(sandbox).GradeAsync(problem, Candidate);

        grade.Tests[0].Verdict.Should().Be(Verdict.Accepted);
        grade.Tests[1].Verdict.Should().Be(Verdict.WrongAnswer);
        grade.Tests[1].Difference.Should().Be("line 1: expected '1 2', got '1 2 4'");
        grade.Tests[1].Expected!.GetValue<string>().Should().Be("1 2\n3\n");
    }

    [Fact]
    public async Task Value_and_stdout_are_both_checked_when_both_are_given()
    {
        var sandbox = new FakeSandbox(_ => Ok("1", stdout: "hello \n"));
        var test = Expect("a", "f()", "1") with { Stdout = "hello\n" };
        (await new Grader(sandbox).GradeAsync(MakeProblem(test with { Checker = CheckerKind.Text }), Candidate)).Verdict.Should().Be(Verdict.Accepted);
        var exact = await new Grader(sandbox).GradeAsync(MakeProblem(test), Candidate);
        exact.Verdict.Should().Be(Verdict.WrongAnswer);
        exact.Tests[0].Difference.Should().Be("stdout: line 1: expected 'hello', got 'hello '");
    }

    [Fact]
    public async Task A_throwing_sandbox_is_an_internal_error()
    {
        var grade = await new Grader(new FakeSandbox(_ => throw new IOException("pool gone"))).GradeAsync(MakeProblem(Expect("a", "a", "1")), Candidate);
        grade.Verdict.Should().Be(Verdict.InternalError);
    }

    [Fact]
    public async Task Float_checker_uses_the_test_tolerance()
    {
        var sandbox = new FakeSandbox(_ => Ok("[0.1, 0.2000001]"));
        var test = Expect("a", "a", "[0.1, 0.2]") with { Checker = CheckerKind.Float };
        (await new Grader(sandbox).GradeAsync(MakeProblem(test with { Tolerance = 1e-3 }), Candidate)).Verdict.Should().Be(Verdict.Accepted);
        (await new Grader(sandbox).GradeAsync(MakeProblem(test), Candidate)).Tests[0].Difference.Should().StartWith("index 1:");
    }
}
