using System.Net;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Judge.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class ProblemListTests(JudgeServer server, BrowserFixture browser) : WebTest(server, browser)
{
    ILocator Links => ByTestId("problem-link");

    [Fact]
    public async Task The_list_shows_every_problem_and_filters_by_topic_difficulty_and_text()
    {
        await OpenAsync("/");
        await Expect(Links).ToHaveCountAsync(Server.ProblemCount);
        var first = Page.Locator("[data-problem-id='decorator-count-calls']");
        await Expect(first).ToHaveTextAsync("Count calls, keep the metadata");
        await Expect(first).ToHaveAttributeAsync("href", "/problems/decorator-count-calls");
        await Expect(first.Locator("xpath=ancestor::li[1]")).ToContainTextAsync("decorators · easy");
        await Expect(first.Locator("xpath=ancestor::li[1]").Locator(".tags li")).ToHaveTextAsync(["decorators", "functools", "wraps"]);

        await Page.GetByLabel("Topic").SelectOptionAsync("args-kwargs");
        await Expect(Links).ToHaveCountAsync(2);
        await Page.GetByLabel("Difficulty").SelectOptionAsync("medium");
        await Expect(Links).ToHaveCountAsync(1);
        await Expect(Links).ToHaveAttributeAsync("data-problem-id", "kwargs-build-request");
        await Expect(ByTestId("problem-count")).ToHaveTextAsync($"1 of {Server.ProblemCount} problems");

        // Filters live in the address, so a reload (or a shared link) shows the same list.
        await Expect(Page).ToHaveURLAsync(new Regex(@"/\?topic=args-kwargs&difficulty=medium$"));
        await Page.ReloadAsync();
        await Expect(Links).ToHaveCountAsync(1);
        await Expect(Page.GetByLabel("Difficulty")).ToHaveValueAsync("medium");

        await Page.GetByLabel("Topic").SelectOptionAsync("");
        await Page.GetByLabel("Difficulty").SelectOptionAsync("");
        await Page.GetByLabel("Search").FillAsync("LAZY chunks");
        await Expect(Links).ToHaveCountAsync(1);
        await Expect(Links).ToHaveAttributeAsync("data-problem-id", "generator-chunked");
        await Page.GetByLabel("Search").FillAsync("stdin");
        await Expect(Links).ToHaveAttributeAsync("data-problem-id", "shout-lines");

        await Links.ClickAsync();
        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Shout every line");
        await Expect(Page).ToHaveURLAsync(new Regex("/problems/shout-lines$"));
        PageErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_direct_link_opens_the_problem_with_its_statement_limits_and_examples()
    {
        await OpenProblemAsync("add-numbers");
        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Add two numbers");
        await Expect(Page).ToHaveTitleAsync("Add two numbers — Judge");
        await Expect(ByTestId("statement").Locator("code").First).ToHaveTextAsync("add(a, b)");
        await Expect(ByTestId("statement").Locator("pre .tok-variableName").First).ToBeVisibleAsync();
        await Expect(ByTestId("limits")).ToContainTextAsync("300 ms CPU, 64 MiB memory");
        await Expect(ByTestId("limits")).ToContainTextAsync("5 tests (1 hidden)");
        await Expect(ByTestId("example")).ToHaveCountAsync(4);
        await Expect(ByTestId("example").Nth(1)).ToContainTextAsync("add(-4, 1)");
        await Expect(ByTestId("example").Nth(1)).ToContainTextAsync("-3");
        // The expected value is shown as Python writes it: a float keeps its ".0".
        await Expect(ByTestId("example").Nth(3).Locator("dd").Last).ToHaveTextAsync("1.0");
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("huge numbers");
        await Expect(EditorContent).ToContainTextAsync("return 0");
    }

    [Fact]
    public async Task Examples_without_a_stated_result_say_whether_the_solution_gives_a_value_output_or_both()
    {
        ILocator Example(string name) => ByTestId("example").Filter(new() { Has = Page.GetByRole(AriaRole.Heading, new() { Name = name }) });

        await OpenProblemAsync("tally-words");
        var text = Example("value and output from the solution");
        await Expect(text.GetByTestId("reference-expected")).ToHaveTextAsync("what the reference solution returns and prints (not shown)");
        await Expect(text).ToContainTextAsync("Printed output compared with trailing whitespace ignored.");
        await Expect(Example("tokens from the solution")).ToContainTextAsync("Printed output compared word by word.");

        await OpenProblemAsync("repeat-text");
        await Expect(Example("ten thousand times").GetByTestId("reference-expected")).ToHaveTextAsync("what the reference solution returns (not shown)");
        await OpenProblemAsync("dash-line");
        await Expect(Example("twenty thousand dashes").GetByTestId("reference-expected")).ToHaveTextAsync("what the reference solution prints (not shown)");
    }

    [Fact]
    public async Task Unknown_pages_say_so_and_the_page_fallback_does_not_swallow_api_404s()
    {
        await OpenAsync("/problems/no-such-problem");
        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Problem not found");
        await Expect(ByTestId("error")).ToContainTextAsync("no-such-problem");

        using var http = new HttpClient { BaseAddress = new Uri(Server.Url) };
        var api = await http.GetAsync("/v1/no-such-endpoint");
        api.StatusCode.Should().Be(HttpStatusCode.NotFound);
        api.Content.Headers.ContentType?.MediaType.Should().NotBe("text/html");
        var problem = await http.GetAsync("/v1/problems/no-such-problem");
        problem.StatusCode.Should().Be(HttpStatusCode.NotFound);
        problem.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        (await http.GetAsync("/problems/a/b")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var page = await http.GetAsync("/problems/add-numbers");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType?.MediaType.Should().Be("text/html");
    }
}
