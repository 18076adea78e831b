using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Judge.Web.Tests;

/// <summary>Typing, submitting and reading verdicts against the real sandbox.</summary>
[Collection(WebCollection.Name)]
public sealed class SubmissionTests(JudgeServer server, BrowserFixture browser) : WebTest(server, browser)
{
    // A visible test's time and memory, both there or the span left out.
    static readonly Regex TestMeasures = new(@"^\d+ ms · \d+(\.\d)? (KiB|MiB)$");

    const string CountCallsSolution = """
        import functools

        def count_calls(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                wrapper.calls += 1
                return func(*args, **kwargs)
            wrapper.calls = 0
            return wrapper
        """;

    [Fact]
    public async Task Keyboard_only_from_the_list_to_an_accepted_verdict_marks_the_problem_solved()
    {
        await OpenAsync("/");
        await TabToAsync("#search");
        await Page.Keyboard.TypeAsync("count calls");
        await Expect(ByTestId("problem-link")).ToHaveCountAsync(1);
        await TabToAsync("[data-problem-id='decorator-count-calls']");
        await Page.Keyboard.PressAsync("Enter");

        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Count calls, keep the metadata");
        await Expect(Page).ToHaveURLAsync(new Regex("/problems/decorator-count-calls$"));
        await TabToAsync("[data-testid=editor] .cm-content");
        await TypeCodeAsync("decorator-count-calls", CountCallsSolution);
        await Page.Keyboard.PressAsync("Control+Enter");

        await Expect(ByTestId("verdict")).ToHaveTextAsync("accepted", Graded);
        await Expect(ByTestId("passed")).ToHaveTextAsync(new Regex(@"^(\d+) / \1 tests passed$"));
        await Expect(Page.Locator("[data-testid=test-result]:not([data-verdict=accepted])")).ToHaveCountAsync(0);
        (await ByTestId("test-result").CountAsync()).Should().BeGreaterThan(3);
        await Expect(ByTestId("takeaway")).ToContainTextAsync("functools.wraps");
        await Expect(ByTestId("history-entry")).ToHaveCountAsync(1);

        await Page.GoBackAsync();
        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Problems");
        await Expect(Page.Locator("[data-problem-id='decorator-count-calls']").Locator("..").GetByTestId("problem-status")).ToHaveTextAsync("Solved");
        PageErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_wrong_answer_shows_the_failing_visible_tests_diff_and_only_the_concept_of_a_hidden_one()
    {
        await OpenProblemAsync("add-numbers");
        await ClickAndTypeCodeAsync("add-numbers", "def add(a, b):\n    print('adding', a, b)\n    return a - b\n");
        await SubmitAndWaitAsync("wrong_answer");

        await Expect(ByTestId("passed")).ToHaveTextAsync("1 / 5 tests passed");
        var small = ByTestId("test-result").Filter(new() { HasText = "small numbers" });
        await Expect(small).ToHaveAttributeAsync("data-verdict", "wrong_answer");
        await Expect(small.GetByTestId("diff-expected")).ToHaveTextAsync("3");
        await Expect(small.GetByTestId("diff-actual")).ToHaveTextAsync("-1");
        await Expect(small.GetByTestId("difference")).ToBeVisibleAsync();
        await Expect(small.GetByTestId("test-stdout")).ToHaveTextAsync("adding 1 2\n");
        await Expect(small.GetByTestId("truncated")).ToHaveCountAsync(0);
        await Expect(ByTestId("test-result").Filter(new() { HasText = "zeros" })).ToHaveAttributeAsync("data-verdict", "accepted");
        var halves = ByTestId("test-result").Filter(new() { HasText = "halves" });
        await Expect(halves.GetByTestId("diff-expected")).ToHaveTextAsync("1.0");
        await Expect(halves.GetByTestId("diff-actual")).ToHaveTextAsync("0.0");

        var hidden = ByTestId("test-result").Filter(new() { HasText = "huge numbers" });
        await Expect(hidden).ToHaveAttributeAsync("data-verdict", "wrong_answer");
        await Expect(hidden.GetByTestId("concept")).ToHaveTextAsync("big integers");
        await Expect(hidden.GetByTestId("diff")).ToHaveCountAsync(0);
        await Expect(hidden).Not.ToContainTextAsync("1000000000000000000000000000001");

        await OpenAsync("/");
        await Expect(Page.Locator("[data-problem-id='add-numbers']").Locator("..").GetByTestId("problem-status")).ToHaveTextAsync("Tried");
    }

    [Fact]
    public async Task A_hidden_tests_line_shows_no_measurements_and_no_dangling_separator()
    {
        await OpenProblemAsync("add-numbers");
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    return a - b\n");
        await SubmitAndWaitAsync("wrong_answer");

        // The API leaves a hidden test's time and memory out: its line has its name and verdict, nothing else.
        var hidden = ByTestId("test-result").Filter(new() { HasText = "huge numbers" }).Locator(".test-head");
        await Expect(hidden.Locator(".verdict")).ToHaveTextAsync("wrong_answer");
        await Expect(hidden.Locator(".measure")).ToHaveCountAsync(0);
        await Expect(hidden).ToHaveTextAsync("huge numberswrong_answer");

        var visible = ByTestId("test-result").Filter(new() { HasText = "small numbers" }).Locator(".test-head .measure");
        await Expect(visible).ToHaveTextAsync(TestMeasures);
        await Expect(Page.Locator(".verdict-line .measure")).ToHaveTextAsync(new Regex(@"^longest \d+ ms · peak \d+(\.\d)? (KiB|MiB)$"));
    }

    [Fact]
    public async Task A_compilation_error_shows_each_tests_measurements_whole_or_not_at_all()
    {
        await OpenProblemAsync("add-numbers");
        await PasteCodeAsync("add-numbers", "def add(a, b)\n    return a + b\n");
        await SubmitAndWaitAsync("compilation_error");

        var heads = Page.Locator("[data-testid=test-result] .test-head");
        await Expect(heads).ToHaveCountAsync(5);
        foreach (var head in await heads.AllAsync())
        {
            var text = await head.TextContentAsync();
            text.Should().NotContainAny("undefined", "NaN", "null");
            var measures = await head.Locator(".measure").AllTextContentsAsync();
            if (measures.Count == 0) text.Should().NotContain("·", "a separator stands only between two measurements");
            foreach (var measure in measures) measure.Should().MatchRegex(TestMeasures.ToString());
        }
        await Expect(Page.Locator("[data-testid=test-result]").Filter(new() { HasText = "huge numbers" }).Locator(".measure")).ToHaveCountAsync(0);
    }

    const string LoudRepeat = "def repeat(text, times):\n    print('-' * 20000)\n    return text.upper() * times\n";

    [Fact]
    public async Task Values_past_the_shown_cap_show_as_the_cut_repr_marked_truncated()
    {
        await OpenProblemAsync("repeat-text");
        await PasteCodeAsync("repeat-text", LoudRepeat);
        await SubmitAndWaitAsync("wrong_answer");

        // Expected (from the solution) and actual are 20000 characters: the server sends each as its repr cut to 16 KiB,
        // which the page shows as it is, not quoted again as a Python str.
        var cut = ByTestId("test-result").Filter(new() { HasText = "ten thousand times" });
        await Expect(cut).ToHaveAttributeAsync("data-verdict", "wrong_answer");
        Shape(await cut.GetByTestId("diff-expected").TextContentAsync()).Should().Be("'abab … ab... (16384 characters)");
        Shape(await cut.GetByTestId("diff-actual").TextContentAsync()).Should().Be("'ABAB … AB... (16384 characters)");
        var markers = cut.GetByTestId("diff").GetByTestId("truncated");
        await Expect(markers).ToHaveCountAsync(2);
        await Expect(cut.GetByTestId("diff").Locator(".comparison-label")).ToHaveTextAsync(["Expected truncated", "Got truncated"]);
        await Expect(markers.First).ToBeVisibleAsync();
        await Expect(cut.GetByTestId("truncated-note")).ToBeVisibleAsync();

        // Printed output past the cap: the text as printed up to the cap, marked; the values here are whole.
        var whole = ByTestId("test-result").Filter(new() { HasText = "three times" });
        await Expect(whole.GetByTestId("diff-expected")).ToHaveTextAsync("'ababab'");
        await Expect(whole.GetByTestId("diff-actual")).ToHaveTextAsync("'ABABAB'");
        await Expect(whole.GetByTestId("diff").GetByTestId("truncated")).ToHaveCountAsync(0);
        await Expect(whole.Locator("summary")).ToHaveTextAsync("Printed output truncated");
        Shape(await whole.GetByTestId("test-stdout").TextContentAsync()).Should().Be("----- … ----- (16384 characters)");
        PageErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task Long_values_too_different_to_diff_in_time_show_whole_and_unmarked()
    {
        await OpenProblemAsync("repeat-text");
        await PasteCodeAsync("repeat-text", LoudRepeat);
        await SubmitAndWaitAsync("wrong_answer");

        // 'a-a-…' against 'A-A-…' differs in 7000 of 14000 words: a word diff would stall the page for tens of seconds
        // (the verdict, drawn in the same pass, with it).
        var test = ByTestId("test-result").Filter(new() { HasText = "letters and dashes" });
        Shape(await test.GetByTestId("diff-expected").TextContentAsync()).Should().Be("'a-a- … a-a-' (14002 characters)");
        Shape(await test.GetByTestId("diff-actual").TextContentAsync()).Should().Be("'A-A- … A-A-' (14002 characters)");
        await Expect(test.GetByTestId("diff").Locator("del, ins")).ToHaveCountAsync(0);
        await Expect(test.GetByTestId("diff-unmarked")).ToBeVisibleAsync();
        await Expect(test.GetByTestId("diff").GetByTestId("truncated")).ToHaveCountAsync(0);
    }

    /// <summary>A long text as its first and last five characters and its length, so a failure message stays short.</summary>
    static string Shape(string? text) =>
        text is null ? "(none)" : text.Length <= 14 ? text : $"{text[..5]} … {text[^5..]} ({text.Length} characters)";

    [Fact]
    public async Task Expected_output_past_the_shown_cap_shows_as_the_cut_repr_unmarked_by_the_diff()
    {
        await OpenProblemAsync("dash-line");
        await PasteCodeAsync("dash-line", "n = int(input())\nprint('=' * n)\n");
        await SubmitAndWaitAsync("wrong_answer");

        // The long test's expected output is the solution's, sent back cut as a repr: a diff against printed text would
        // mark everything, so both are shown as they are, each marked truncated.
        var cut = ByTestId("test-result").Filter(new() { HasText = "twenty thousand dashes" });
        await Expect(cut.GetByTestId("diff").Locator(".comparison-label")).ToHaveTextAsync(["Expected output truncated", "Printed truncated"]);
        Shape(await cut.GetByTestId("diff-expected").TextContentAsync()).Should().Be("'---- … --... (16384 characters)");
        Shape(await cut.GetByTestId("diff-actual").TextContentAsync()).Should().Be("===== … ===== (16384 characters)");
        await Expect(cut.GetByTestId("diff").Locator("del, ins")).ToHaveCountAsync(0);
        await Expect(cut.GetByTestId("diff-unmarked")).ToHaveCountAsync(0);

        // Output the test states is whole in the problem: a plain diff, nothing marked truncated.
        var whole = ByTestId("test-result").Filter(new() { HasText = "five dashes" });
        await Expect(whole.GetByTestId("diff-expected")).ToHaveTextAsync("-----\n");
        await Expect(whole.GetByTestId("diff-actual")).ToHaveTextAsync("=====\n");
        await Expect(whole.GetByTestId("diff").Locator("del")).ToHaveCountAsync(1);
        await Expect(whole.GetByTestId("truncated")).ToHaveCountAsync(0);
    }

    // tally-words: each test compares printed output beside a value or a raised exception, as the grader combines them.
    const string TallyWrongValues = """
        def tally(words):
            if not words:
                print("nothing to tally")
                return ""
            for word in words:
                print(word)
            return ",".join(words).upper()

        def shout(word):
            print(word.upper())
            return word
        """;

    const string TallyWrongOutput = """
        def tally(words):
            if not words:
                print("Nothing to tally")
                raise ValueError("no words")
            for word in words:
                print(word.upper())
            return ",".join(words)

        def shout(word):
            print(word)
        """;

    ILocator TestNamed(string name) => ByTestId("test-result").Filter(new() { HasText = name });

    [Fact]
    public async Task A_wrong_value_beside_printed_output_shows_the_values_and_a_normal_return_for_raises_shows_no_comparison()
    {
        await OpenProblemAsync("tally-words");
        await PasteCodeAsync("tally-words", TallyWrongValues);
        await SubmitAndWaitAsync("wrong_answer");
        await Expect(ByTestId("passed")).ToHaveTextAsync("0 / 5 tests passed");

        // A text or tokens checker without expect: the grader compares the solution's value first, exactly.
        var text = TestNamed("value and output from the solution");
        await Expect(text.GetByTestId("difference")).ToHaveTextAsync("expected 'a,b', got 'A,B'");
        await Expect(text.GetByTestId("diff").Locator(".comparison-label")).ToHaveTextAsync(["Expected", "Got"]);
        await Expect(text.GetByTestId("diff-expected")).ToHaveTextAsync("'a,b'");
        await Expect(text.GetByTestId("diff-actual")).ToHaveTextAsync("'A,B'");
        await Expect(TestNamed("tokens from the solution").GetByTestId("diff-expected")).ToHaveTextAsync("'p q,r'");

        // expect: None beside stdout (None is left out of both the problem and the result): the value failed, not the
        // output, which is the same as expected.
        var none = TestNamed("returns None and prints");
        await Expect(none.GetByTestId("difference")).ToHaveTextAsync("expected None (NoneType), got 'hi' (str)");
        await Expect(none.GetByTestId("diff").Locator(".comparison-label")).ToHaveTextAsync(["Expected", "Got"]);
        await Expect(none.GetByTestId("diff-expected")).ToHaveTextAsync("None");
        await Expect(none.GetByTestId("diff-actual")).ToHaveTextAsync("'hi'");

        // raises with stdout: nothing was raised, so the output was never compared.
        var raises = TestNamed("raises after printing");
        await Expect(raises.GetByTestId("difference")).ToHaveTextAsync("expected ValueError to be raised");
        await Expect(raises.GetByTestId("diff")).ToHaveCountAsync(0);
        await Expect(raises.GetByTestId("test-stdout")).ToHaveTextAsync("nothing to tally\n");

        // A regex checker matches the output; the value beside it is compared like any other.
        var regex = TestNamed("value and a pattern");
        await Expect(regex.GetByTestId("diff-expected")).ToHaveTextAsync("'x'");
        await Expect(regex.GetByTestId("diff-actual")).ToHaveTextAsync("'X'");
        PageErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task Wrong_printed_output_beside_a_value_or_a_raise_shows_the_output_where_it_is_known_and_never_the_value_as_output()
    {
        await OpenProblemAsync("tally-words");
        await PasteCodeAsync("tally-words", TallyWrongOutput);
        await SubmitAndWaitAsync("wrong_answer");
        await Expect(ByTestId("passed")).ToHaveTextAsync("0 / 5 tests passed");

        // The value matched and the output did not: the result carries the value as expected, not the solution's
        // output, so no comparison is shown (above all not the value 'a,b' as an expected output).
        foreach (var (name, difference) in new[]
                 {
                     ("value and output from the solution", "stdout: line 1: expected 'a', got 'A'"),
                     ("tokens from the solution", "stdout: token 1: expected 'p', got 'P'"),
                 })
        {
            var test = TestNamed(name);
            await Expect(test).ToHaveAttributeAsync("data-verdict", "wrong_answer");
            await Expect(test.GetByTestId("difference")).ToHaveTextAsync(difference);
            await Expect(test.GetByTestId("diff")).ToHaveCountAsync(0);
            await Expect(test.GetByTestId("test-stdout")).ToBeVisibleAsync();
        }

        // Stated output: set beside what was printed.
        var none = TestNamed("returns None and prints");
        await Expect(none.GetByTestId("difference")).ToHaveTextAsync("stdout: line 1: expected 'HI', got 'hi'");
        await Expect(none.GetByTestId("diff").Locator(".comparison-label")).ToHaveTextAsync(["Expected output", "Printed"]);
        await Expect(none.GetByTestId("diff-expected")).ToHaveTextAsync("HI\n");
        await Expect(none.GetByTestId("diff-actual")).ToHaveTextAsync("hi\n");

        // The right exception was raised, then the output compared.
        var raises = TestNamed("raises after printing");
        await Expect(raises.GetByTestId("test-error")).ToContainTextAsync("ValueError: no words");
        await Expect(raises.GetByTestId("diff-expected")).ToHaveTextAsync("nothing to tally\n");
        await Expect(raises.GetByTestId("diff-actual")).ToHaveTextAsync("Nothing to tally\n");

        // A pattern is no output to set beside the printed one.
        var regex = TestNamed("value and a pattern");
        await Expect(regex.GetByTestId("difference")).ToContainTextAsync("does not match the pattern");
        await Expect(regex.GetByTestId("diff")).ToHaveCountAsync(0);
        PageErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_runtime_error_marks_the_tracebacks_line_in_the_editor()
    {
        await OpenProblemAsync("add-numbers");
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    total = a + b\n    raise ValueError('no sums today')\n");
        await SubmitAndWaitAsync("runtime_error");

        var first = ByTestId("test-result").First;
        await Expect(first.GetByTestId("test-error")).ToContainTextAsync("ValueError: no sums today");
        await Expect(first.GetByTestId("show-line")).ToHaveTextAsync("line 3");
        var marked = Page.Locator("[data-testid=editor] .cm-line[data-testid=error-line]");
        await Expect(marked).ToHaveCountAsync(1);
        await Expect(marked).ToHaveTextAsync("    raise ValueError('no sums today')");
    }

    [Fact]
    public async Task An_endless_loop_is_time_limit_exceeded()
    {
        await OpenProblemAsync("add-numbers");
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    while True:\n        pass\n");
        await SubmitAndWaitAsync("time_limit_exceeded");
        await Expect(ByTestId("test-result").First).ToHaveAttributeAsync("data-verdict", "time_limit_exceeded");
    }

    [Fact]
    public async Task Progress_shows_while_the_submission_is_queued()
    {
        await OpenProblemAsync("add-numbers");
        // Slow down the polls so the queued state stays on screen long enough to be seen.
        await Page.RouteAsync("**/v1/submissions/*", async route =>
        {
            await Task.Delay(1500);
            await route.ContinueAsync();
        });
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    return a + b\n");
        await ByTestId("submit").ClickAsync();
        await Expect(ByTestId("progress")).ToContainTextAsync("Queued");
        await Expect(ByTestId("verdict")).ToHaveTextAsync("accepted", Graded);
        await Expect(ByTestId("progress")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task History_keeps_this_browsers_submissions_and_opens_any_of_them()
    {
        await OpenProblemAsync("add-numbers");
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    return a * b\n");
        await SubmitAndWaitAsync("wrong_answer");
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    return a + b\n");
        await SubmitAndWaitAsync("accepted");
        await Expect(ByTestId("takeaway")).ToContainTextAsync("never overflow");

        await Page.ReloadAsync();
        var entries = ByTestId("history-entry");
        await Expect(entries).ToHaveCountAsync(2);
        await Expect(entries.Nth(0).Locator(".verdict")).ToHaveTextAsync("accepted");
        await Expect(entries.Nth(1).Locator(".verdict")).ToHaveTextAsync("wrong_answer");
        (await StoredCodeAsync("add-numbers")).Should().Be("def add(a, b):\n    return a + b\n");

        await entries.Nth(1).GetByTestId("open-submission").ClickAsync();
        await Expect(ByTestId("verdict")).ToHaveTextAsync("wrong_answer");
        await Expect(ByTestId("test-result").First.GetByTestId("diff-actual")).ToHaveTextAsync("2");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Put this submission’s code in the editor" }).ClickAsync();
        (await StoredCodeAsync("add-numbers")).Should().Be("def add(a, b):\n    return a * b\n");
    }

    [Fact]
    public async Task The_editor_indents_highlights_and_keeps_code_per_problem_until_reset()
    {
        await OpenProblemAsync("add-numbers");
        await Expect(Page.Locator("[data-testid=editor] .cm-lineNumbers .cm-gutterElement", new() { HasText = "2" })).ToHaveCountAsync(1);
        await Expect(Page.Locator("[data-testid=editor] .tok-keyword").First).ToHaveTextAsync("def");

        await EditorContent.ClickAsync();
        await Page.Keyboard.PressAsync("Control+A");
        await Page.Keyboard.TypeAsync("def twice(x):");
        await Page.Keyboard.PressAsync("Enter");
        (await StoredCodeAsync("add-numbers")).Should().Be("def twice(x):\n    ", "Enter after a colon indents one level");
        await Page.Keyboard.PressAsync("Tab");
        (await StoredCodeAsync("add-numbers")).Should().Be("def twice(x):\n        ", "Tab indents");
        await Page.Keyboard.PressAsync("Shift+Tab");
        await Page.Keyboard.TypeAsync("return (x");
        (await StoredCodeAsync("add-numbers")).Should().Be("def twice(x):\n    return (x)", "an opening bracket gets its closing one");
        await Expect(Page.Locator("[data-testid=editor] .cm-matchingBracket")).ToHaveCountAsync(2);

        await Page.ReloadAsync();
        await Expect(EditorContent).ToContainTextAsync("def twice(x):");
        await OpenProblemAsync("shout-lines");
        await Expect(EditorContent).ToHaveTextAsync("import sys");

        await OpenProblemAsync("add-numbers");
        await ByTestId("reset").ClickAsync();
        await Expect(EditorContent).ToContainTextAsync("return 0");
        (await StoredCodeAsync("add-numbers")).Should().BeNull();
        await EditorContent.ClickAsync();
        await Page.Keyboard.PressAsync("Control+Z");
        await Expect(EditorContent).ToContainTextAsync("def twice(x):");
    }
}
