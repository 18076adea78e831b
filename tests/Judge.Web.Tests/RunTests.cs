using static Microsoft.Playwright.Assertions;

namespace Judge.Web.Tests;

/// <summary>Ad-hoc runs through POST /v1/runs: a script problem's program on the candidate's own input.</summary>
[Collection(WebCollection.Name)]
public sealed class RunTests(JudgeServer server, BrowserFixture browser) : WebTest(server, browser)
{
    const string Program = "import sys\nfor line in sys.stdin:\n    print(line.rstrip('\\n').upper())\n";

    [Fact]
    public async Task A_script_problem_runs_on_the_given_stdin_and_is_then_accepted()
    {
        await OpenProblemAsync("shout-lines");
        await Expect(ByTestId("stdin")).ToHaveValueAsync("hello\nworld\n");
        await PasteCodeAsync("shout-lines", Program);
        await ByTestId("stdin").FillAsync("judge\nme\n");
        await ByTestId("run").ClickAsync();

        await Expect(ByTestId("run-status")).ToHaveTextAsync("ok", Graded);
        await Expect(ByTestId("run-stdout")).ToHaveTextAsync("JUDGE\nME\n");
        await Expect(ByTestId("run-result")).ToContainTextAsync(" ms");

        await SubmitAndWaitAsync("accepted");
        await Expect(ByTestId("passed")).ToHaveTextAsync("2 / 2 tests passed");
    }

    [Fact]
    public async Task A_run_that_raises_shows_stderr_and_marks_the_line()
    {
        await OpenProblemAsync("shout-lines");
        await PasteCodeAsync("shout-lines", "import sys\nprint('before')\nprint(1 / 0)\n");
        await ByTestId("stdin").FocusAsync();
        await Page.Keyboard.PressAsync("Control+Enter"); // in the input box, Ctrl+Enter runs

        await Expect(ByTestId("run-status")).ToHaveTextAsync("runtime_error", Graded);
        await Expect(ByTestId("run-stdout")).ToHaveTextAsync("before\n");
        await Expect(ByTestId("run-result").GetByTestId("test-error")).ToContainTextAsync("ZeroDivisionError");
        await Expect(Page.Locator("[data-testid=editor] .cm-line[data-testid=error-line]")).ToHaveTextAsync("print(1 / 0)");
        await Expect(ByTestId("verdict")).ToHaveCountAsync(0);
    }
}
