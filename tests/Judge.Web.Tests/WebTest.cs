using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Judge.Web.Tests;

/// <summary>
/// A browser test against the shared server: a fresh context (empty localStorage) and page per test, and helpers that
/// act as a person would (keyboard typing into the editor, clicking buttons by their test ids).
/// </summary>
public abstract class WebTest(JudgeServer server, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    /// <summary>Grading on a busy two-core machine can take a while; the page itself answers at once.</summary>
    protected static readonly LocatorAssertionsToHaveTextOptions Graded = new() { Timeout = 60_000 };

    protected JudgeServer Server => server;
    protected IBrowser Browser => browser.Browser;
    protected IBrowserContext Context { get; private set; } = null!;
    protected IPage Page { get; private set; } = null!;

    /// <summary>Uncaught exceptions in the page's scripts.</summary>
    protected List<string> PageErrors { get; } = [];

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(15_000);
        Context = await browser.Browser.NewContextAsync(new() { BaseURL = server.Url, ViewportSize = new() { Width = 1280, Height = 900 } });
        Context.SetDefaultTimeout(15_000);
        Page = await Context.NewPageAsync();
        Page.PageError += (_, error) => PageErrors.Add(error);
    }

    public async Task DisposeAsync() => await Context.CloseAsync();

    protected ILocator ByTestId(string id) => Page.GetByTestId(id);

    protected ILocator EditorContent => Page.Locator("[data-testid=editor] .cm-content");

    /// <summary>Opens a path and waits until its page has rendered its heading.</summary>
    protected async Task OpenAsync(string path)
    {
        await Page.GotoAsync(path);
        await Expect(Page.Locator("main h1")).ToBeVisibleAsync();
    }

    protected async Task OpenProblemAsync(string id)
    {
        await OpenAsync($"/problems/{id}");
        await Expect(EditorContent).ToBeVisibleAsync();
    }

    /// <summary>
    /// Replaces the editor's code by typing it, as a person does: Enter gives CodeMirror's auto-indent, then Tab or
    /// Shift+Tab brings the line to the wanted depth (4 spaces a level), then the line's text is typed. The editor must
    /// have focus. Checks that the editor ends up holding exactly the code.
    /// </summary>
    protected async Task TypeCodeAsync(string problemId, string code)
    {
        var lines = code.TrimEnd('\n').Split('\n');
        await Page.Keyboard.PressAsync("Control+A");
        await Page.Keyboard.PressAsync("Delete");
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0) await Page.Keyboard.PressAsync("Enter");
            var text = lines[i].TrimStart(' ');
            var wanted = text.Length == 0 ? 0 : (lines[i].Length - text.Length) / 4;
            var current = await Page.EvaluateAsync<int>(
                "() => { const t = document.querySelector('[data-testid=editor] .cm-activeLine')?.textContent ?? ''; return (t.length - t.trimStart().length) / 4; }");
            for (; current < wanted; current++) await Page.Keyboard.PressAsync("Tab");
            for (; current > wanted; current--) await Page.Keyboard.PressAsync("Shift+Tab");
            if (text.Length > 0) await Page.Keyboard.TypeAsync(text);
        }
        (await StoredCodeAsync(problemId)).Should().Be(string.Join('\n', lines), "typing should leave exactly the code in the editor");
    }

    /// <summary>Focuses the editor with a click, then types the code.</summary>
    protected async Task ClickAndTypeCodeAsync(string problemId, string code)
    {
        await EditorContent.ClickAsync();
        await TypeCodeAsync(problemId, code);
    }

    /// <summary>Replaces the editor's code with a paste (quicker than typing, where typing is not the point).</summary>
    protected async Task PasteCodeAsync(string problemId, string code)
    {
        await EditorContent.ClickAsync();
        await Page.Keyboard.PressAsync("Control+A");
        await EditorContent.EvaluateAsync("""
            (editor, text) => {
              const data = new DataTransfer();
              data.setData('text/plain', text);
              editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
            }
            """, code);
        (await StoredCodeAsync(problemId)).Should().Be(code);
    }

    /// <summary>The code the page keeps for a problem in localStorage (what the editor holds after every edit).</summary>
    protected async Task<string?> StoredCodeAsync(string problemId)
    {
        var raw = await Page.EvaluateAsync<string?>("id => localStorage.getItem('judge.code.' + id)", problemId);
        return raw is null ? null : JsonSerializer.Deserialize<string>(raw);
    }

    protected async Task SubmitAndWaitAsync(string expectedVerdict)
    {
        await ByTestId("submit").ClickAsync();
        await Expect(ByTestId("verdict")).ToHaveTextAsync(expectedVerdict, Graded);
    }

    /// <summary>
    /// Presses Tab until the focused element matches the CSS selector; fails after a bounded number of presses. In the
    /// editor Tab indents, so there it presses Escape first, as the page's hint tells keyboard users to.
    /// </summary>
    protected async Task TabToAsync(string selector, int maxPresses = 60)
    {
        for (var i = 0; i < maxPresses; i++)
        {
            if (await Page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector)) return;
            if (await Page.EvaluateAsync<bool>("() => document.activeElement?.matches('.cm-content') ?? false"))
                await Page.Keyboard.PressAsync("Escape");
            await Page.Keyboard.PressAsync("Tab");
        }
        throw new InvalidOperationException($"Tab never reached {selector}");
    }

    /// <summary>Empty when the page does not scroll sideways; else the outermost elements that stick out, to say why.</summary>
    protected async Task<string[]> SidewaysOverflowAsync() =>
        await Page.EvaluateAsync<string[]>("""
            () => {
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= width) return [];
              const out = [...document.body.querySelectorAll('*')]
                .filter(e => e.getBoundingClientRect().right > width + 0.5 && e.parentElement.getBoundingClientRect().right <= width + 0.5)
                .map(e => e.outerHTML.slice(0, 100));
              return out.length ? out : ['the page scrolls sideways'];
            }
            """);
}
