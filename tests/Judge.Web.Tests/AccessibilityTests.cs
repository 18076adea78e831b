using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Judge.Web.Tests;

/// <summary>axe-core on the list and on a problem with a failed submission shown, light and dark; and a phone-sized screen.</summary>
[Collection(WebCollection.Name)]
public sealed class AccessibilityTests(JudgeServer server, BrowserFixture browser) : WebTest(server, browser)
{
    async Task ShowFailedSubmissionAsync()
    {
        await OpenProblemAsync("add-numbers");
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    print(a)\n    return a - b\n");
        await SubmitAndWaitAsync("wrong_answer");
        await ByTestId("stdin").FillAsync("some input");
        await ByTestId("run").ClickAsync();
        await Expect(ByTestId("run-status")).ToHaveTextAsync("ok", Graded);
    }

    async Task<string[]> SeriousViolationsAsync()
    {
        // Only violations carry their nodes back: passes would only make the run slower.
        var result = await Page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        result.Passes.Select(p => p.Id).Should().Contain("color-contrast", "the contrast rule must have checked this page's text");
        return [.. result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")];
    }

    async Task<string[]> SeriousViolationsInLightAndDarkAsync()
    {
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        var light = await SeriousViolationsAsync();
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        var dark = await SeriousViolationsAsync();
        return [.. light.Select(v => "light: " + v), .. dark.Select(v => "dark: " + v)];
    }

    [Fact]
    public async Task Axe_finds_no_serious_or_critical_violation_on_the_list_or_a_problem_in_light_or_dark()
    {
        await OpenAsync("/");
        await Expect(ByTestId("problem-link")).ToHaveCountAsync(Server.ProblemCount);
        (await SeriousViolationsInLightAndDarkAsync()).Should().BeEmpty();

        await ShowFailedSubmissionAsync();
        (await SeriousViolationsInLightAndDarkAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Axe_finds_no_serious_or_critical_violation_on_a_result_cut_at_the_shown_cap()
    {
        await OpenProblemAsync("repeat-text");
        await PasteCodeAsync("repeat-text", "def repeat(text, times):\n    print('-' * 20000)\n    return text.upper() * times\n");
        await SubmitAndWaitAsync("wrong_answer");
        await Expect(ByTestId("truncated").First).ToBeVisibleAsync();
        (await SeriousViolationsInLightAndDarkAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Dark_mode_follows_the_system_preference()
    {
        await OpenAsync("/");
        var light = await Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        var dark = await Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        light.Should().Be("rgb(255, 255, 255)");
        dark.Should().Be("rgb(21, 24, 29)");
    }

    [Fact]
    public async Task At_360_pixels_wide_no_page_scrolls_sideways()
    {
        await Page.SetViewportSizeAsync(360, 740);
        await OpenAsync("/");
        (await SidewaysOverflowAsync()).Should().BeEmpty("the list fits 360 px");

        await ShowFailedSubmissionAsync();
        (await SidewaysOverflowAsync()).Should().BeEmpty("the problem page, a failed result and a run fit 360 px");
        await OpenProblemAsync("kwargs-build-request");
        (await SidewaysOverflowAsync()).Should().BeEmpty("a long statement fits 360 px");
        await Expect(Page.Locator("#solution-heading")).Not.ToBeInViewportAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Go to your solution" }).ClickAsync();
        await Expect(Page.Locator("#solution-heading")).ToBeInViewportAsync();
        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Keyword-only options and merged headers");
    }

    [Fact]
    public async Task Every_control_has_a_label_and_focus_is_visible()
    {
        await OpenProblemAsync("add-numbers");
        var unlabelled = await Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input, select, textarea, button, [role=textbox]')]
              .filter(e => !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.textContent.trim()))
              .map(e => e.outerHTML.slice(0, 80))
            """);
        unlabelled.Should().BeEmpty();

        await TabToAsync("[data-testid=submit]");
        var outline = await Page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        outline.Should().Be("solid", "the focused control shows a visible outline");
    }
}
