using Judge.Core.Grading;
using Judge.Core.Problems;

namespace Judge.Core.Tests;

/// <summary>Submissions that try to forge success through the real sandbox: none is accepted.</summary>
[Collection(RealSandboxCollection.Name)]
public sealed class ForgeryTests(RealSandboxFixture fx)
{
    static readonly Problem Problem = new()
    {
        Id = "forgery-target", Title = "Answer", Topic = "test", Statement = "Return the answer.",
        Solution = "def answer(n):\n    return n * 6\n",
        Tests =
        [
            new TestCase { Name = "seven", Expr = "answer(7)", Expect = System.Text.Json.Nodes.JsonValue.Create(42), HasExpect = true },
            new TestCase { Name = "hidden", Expr = "answer(5)", Hidden = true },
        ],
    };

    [Theory(Timeout = 120_000)]
    [InlineData("prints a fake result frame", "print('{\"kind\": \"value\", \"value\": 42}')\ndef answer(n):\n    return 0\n", Verdict.WrongAnswer)]
    [InlineData("writes a fake frame to stdout's descriptor", "import os\nos.write(1, b'\\x00\\x00\\x00\\x1f{\"kind\":\"value\",\"value\":42}')\ndef answer(n):\n    return 0\n", Verdict.WrongAnswer)]
    [InlineData("os._exit(0) at import", "import os\nos._exit(0)\n", Verdict.RuntimeError)]
    [InlineData("sys.exit() at import", "import sys\nsys.exit()\n", Verdict.RuntimeError)]
    [InlineData("__eq__ that is always True", "class Any:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\ndef answer(n):\n    return Any()\n", Verdict.WrongAnswer)]
    [InlineData("int subclass that equals everything", "class I(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\ndef answer(n):\n    return I(0)\n", Verdict.WrongAnswer)]
    [InlineData("monkeypatches builtins", "import builtins\nbuiltins.type = lambda *a: int\nbuiltins.isinstance = lambda *a: True\nbuiltins.repr = lambda *a: '42'\ndef answer(n):\n    return 0\n", Verdict.RuntimeError)]
    [InlineData("monkeypatches json", "import json\njson.dumps = lambda *a, **k: '{\"kind\":\"value\",\"value\":42}'\ndef answer(n):\n    return 0\n", Verdict.WrongAnswer)]
    [InlineData("imports the harness to patch it", "import judge_values\njudge_values.encode = lambda v: 42\ndef answer(n):\n    return 0\n", Verdict.RuntimeError)]
    [InlineData("closes its result channel and exits cleanly", "import os\nos.close(4)\ndef answer(n):\n    return n * 6\n", Verdict.RuntimeError)]
    public async Task Forgery_is_not_accepted(string name, string code, Verdict expected)
    {
        var grade = await fx.Grader.GradeAsync(Problem, code);
        grade.Verdict.Should().Be(expected, name);
        grade.Passed.Should().BeLessThan(grade.Total, name);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_honest_solution_is_accepted()
    {
        var grade = await fx.Grader.GradeAsync(Problem, "def answer(n):\n    return n * 6\n");
        grade.Verdict.Should().Be(Verdict.Accepted);
        grade.Passed.Should().Be(2);
    }
}
