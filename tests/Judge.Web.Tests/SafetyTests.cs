using static Microsoft.Playwright.Assertions;

namespace Judge.Web.Tests;

/// <summary>A problem whose title, tags and statement carry script, event handlers, styles and clobbering ids.</summary>
[Collection(WebCollection.Name)]
public sealed class SafetyTests(JudgeServer server, BrowserFixture browser) : WebTest(server, browser)
{
    [Theory]
    [InlineData(false)]
    // The page's Content-Security-Policy is a second wall; with it switched off the sanitiser alone must hold.
    [InlineData(true)]
    public async Task A_hostile_statement_title_and_tags_stay_inert_text(bool bypassContentSecurityPolicy)
    {
        await using var context = await Browser.NewContextAsync(new() { BaseURL = Server.Url, BypassCSP = bypassContentSecurityPolicy });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };

        await page.GotoAsync("/?q=echo");
        var link = page.Locator("[data-problem-id='hostile-statement']");
        await Expect(link).ToContainTextAsync("<img src=x onerror=");
        await Expect(link.Locator("img")).ToHaveCountAsync(0);
        await Expect(page.Locator(".tags li", new() { HasText = "<script>" })).ToHaveCountAsync(1);

        await link.ClickAsync();
        var statement = page.GetByTestId("statement");
        await Expect(statement).ToContainTextAsync("This sentence must be shown.");
        await Expect(page.Locator("main h1")).ToContainTextAsync("<img src=x onerror=");
        await Expect(statement.Locator("script, iframe, object, embed, style, form, input, button, svg, math")).ToHaveCountAsync(0);
        (await statement.EvaluateAsync<int>(
            "s => [...s.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on') || a.name === 'style')).length"))
            .Should().Be(0, "no element of the statement may carry an event handler or a style");
        (await statement.EvaluateAsync<int>(
            "s => [...s.querySelectorAll('[href], [src]')].filter(e => /^\\s*javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('src'))).length"))
            .Should().Be(0);

        await page.GetByText("a tempting link").ClickAsync();
        await page.GetByText("a markdown link").ClickAsync();
        await page.Locator("[data-testid=statement] summary").ClickAsync();
        await page.WaitForTimeoutAsync(300); // let a failed image load fire its error event, were a handler left

        (await page.EvaluateAsync<string>("() => document.getElementById('main').tagName")).Should().Be("MAIN", "the statement's id=main is renamed");
        await Expect(page.Locator("main h1")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=editor] .cm-content")).ToBeVisibleAsync();
        (await page.EvaluateAsync<string?>("() => window.__pwned ?? null")).Should().BeNull("no payload may run");
        dialogs.Should().Be(0);
        errors.Should().BeEmpty();
    }
}
