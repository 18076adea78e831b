using System.Buffers.Binary;
using static Microsoft.Playwright.Assertions;

namespace Judge.Web.Tests;

/// <summary>
/// The README's screenshots: the list, a problem, a failed and an accepted submission, 1280 and 390 px wide. Written to
/// JUDGE_SCREENSHOTS_DIR when set (scripts/screenshots.sh: docs/screenshots, against the whole problem bank), else to
/// a temporary folder, so every test run proves the pages still render at both widths.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ScreenshotTests(JudgeServer server, BrowserFixture browser) : WebTest(server, browser), IDisposable
{
    const string Problem = "decorator-count-calls";

    const string Solution = """
        import functools

        def count_calls(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                wrapper.calls += 1
                return func(*args, **kwargs)
            wrapper.calls = 0
            return wrapper
        """;

    // Forgets functools.wraps: the metadata tests fail.
    const string Mistake = """
        def count_calls(func):
            def wrapper(*args, **kwargs):
                wrapper.calls += 1
                return func(*args, **kwargs)
            wrapper.calls = 0
            return wrapper
        """;

    readonly string? _configured = Environment.GetEnvironmentVariable(JudgeServer.ScreenshotsVariable);
    readonly string _folder = Environment.GetEnvironmentVariable(JudgeServer.ScreenshotsVariable) is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.Combine(Path.GetTempPath(), "judge-web-screenshots", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task Screenshots_of_the_list_a_problem_and_a_failed_and_an_accepted_submission(int width, int height)
    {
        Directory.CreateDirectory(_folder);
        await Page.SetViewportSizeAsync(width, height);

        await OpenProblemAsync(Problem);
        await Shoot("problem", width);

        await PasteCodeAsync(Problem, Mistake);
        await SubmitAndWaitAsync("wrong_answer");
        await ShootResult("failed", width);

        await PasteCodeAsync(Problem, Solution);
        await SubmitAndWaitAsync("accepted");
        await ShootResult("accepted", width);

        await OpenAsync("/?difficulty=easy");
        await Expect(Page.Locator($"[data-problem-id='{Problem}']").Locator("..").GetByTestId("problem-status")).ToHaveTextAsync("Solved");
        await Shoot("list", width);
    }

    async Task ShootResult(string name, int width)
    {
        // On a wide screen the whole work pane is in view; on a phone, start at the verdict.
        if (width < 1000) await ByTestId("submission").EvaluateAsync("e => e.scrollIntoView({ block: 'start' })");
        else await Page.EvaluateAsync("() => document.querySelector('.work-pane').scrollIntoView({ block: 'start' })");
        await Shoot(name, width);
    }

    async Task Shoot(string name, int width)
    {
        (await SidewaysOverflowAsync()).Should().BeEmpty($"the {name} page fits {width} px");
        var path = Path.Combine(_folder, $"{name}-{width}.png");
        await Page.ScreenshotAsync(new() { Path = path, Animations = ScreenshotAnimations.Disabled });
        var header = File.ReadAllBytes(path).AsSpan(0, 24);
        header[1..4].ToArray().Should().Equal("PNG"u8.ToArray());
        BinaryPrimitives.ReadInt32BigEndian(header[16..20]).Should().Be(width);
    }

    public void Dispose()
    {
        if (_configured is not { Length: > 0 }) try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
