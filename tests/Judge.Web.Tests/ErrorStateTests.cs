using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Judge.Web.Tests;

/// <summary>What a person sees when the API says no or cannot be reached: a message and a way on, never a blank page.</summary>
[Collection(WebCollection.Name)]
public sealed class ErrorStateTests(JudgeServer server, BrowserFixture browser) : WebTest(server, browser)
{
    static Func<IRoute, Task> ProblemResponse(int status, string title, string detail, int? retryAfter) => route =>
        route.FulfillAsync(new()
        {
            Status = status,
            ContentType = "application/problem+json",
            Headers = retryAfter is { } seconds ? new Dictionary<string, string> { ["Retry-After"] = seconds.ToString() } : null,
            Body = JsonSerializer.Serialize(new { status, title, detail }),
        });

    async Task ExpectPageStillUsableAsync()
    {
        await Expect(Page.Locator("main h1")).ToBeVisibleAsync();
        await Expect(EditorContent).ToBeVisibleAsync();
        await Expect(ByTestId("submit")).ToBeEnabledAsync();
    }

    [Fact]
    public async Task A_rate_limited_submission_says_when_to_try_again()
    {
        await OpenProblemAsync("add-numbers");
        await Page.RouteAsync("**/v1/submissions", ProblemResponse(429, "Too many requests", "Rate limit reached; retry after 17 s.", 17));
        await ByTestId("submit").ClickAsync();

        var error = ByTestId("error");
        await Expect(error).ToHaveAttributeAsync("data-status", "429");
        await Expect(error).ToContainTextAsync("Too many requests");
        await Expect(error).ToContainTextAsync("Try again in 17 seconds");
        await ExpectPageStillUsableAsync();
    }

    [Fact]
    public async Task A_full_queue_says_judge_is_busy_and_when_to_try_again()
    {
        await OpenProblemAsync("add-numbers");
        await Page.RouteAsync("**/v1/submissions", ProblemResponse(503, "Service unavailable", "The grading queue is full; retry later.", 5));
        await ByTestId("submit").ClickAsync();

        var error = ByTestId("error");
        await Expect(error).ToContainTextAsync("Judge is busy");
        await Expect(error).ToContainTextAsync("The grading queue is full");
        await Expect(error).ToContainTextAsync("Try again in 5 seconds");
        await ExpectPageStillUsableAsync();

        await Page.UnrouteAllAsync();
        await SubmitAndWaitAsync("wrong_answer");
        await Expect(ByTestId("error")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Code_over_the_servers_size_limit_is_explained()
    {
        await OpenProblemAsync("add-numbers");
        // A paste of 70 kB: the real API refuses more than 64 KiB with 413.
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    return a + b\n" + string.Concat(Enumerable.Repeat("# padding padding padding padding\n", 2100)));
        await ByTestId("submit").ClickAsync();

        var error = ByTestId("error");
        await Expect(error).ToHaveAttributeAsync("data-status", "413");
        await Expect(error).ToContainTextAsync("Too large");
        await Expect(error).ToContainTextAsync("code is larger than 65536 bytes");
        await ExpectPageStillUsableAsync();
    }

    [Fact]
    public async Task With_the_network_down_the_page_explains_keeps_the_code_and_recovers()
    {
        await OpenProblemAsync("add-numbers");
        await PasteCodeAsync("add-numbers", "def add(a, b):\n    return a + b\n");
        await Page.RouteAsync("**/v1/**", route => route.AbortAsync("internetdisconnected"));
        await ByTestId("submit").ClickAsync();
        await Expect(ByTestId("error")).ToContainTextAsync("Cannot reach Judge");
        await ExpectPageStillUsableAsync();

        await Page.ReloadAsync();
        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Problem");
        await Expect(ByTestId("error")).ToContainTextAsync("Cannot reach Judge");

        await Page.UnrouteAllAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Expect(Page.Locator("main h1")).ToHaveTextAsync("Add two numbers");
        await Expect(EditorContent).ToContainTextAsync("return a + b");
        await SubmitAndWaitAsync("accepted");
    }

    [Fact]
    public async Task The_list_page_with_the_network_down_offers_to_try_again()
    {
        await Page.RouteAsync("**/v1/**", route => route.AbortAsync("connectionrefused"));
        await OpenAsync("/");
        await Expect(ByTestId("error")).ToContainTextAsync("Cannot reach Judge");
        await Page.UnrouteAllAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Expect(ByTestId("problem-link")).ToHaveCountAsync(Server.ProblemCount);
    }

    [Fact]
    public async Task An_api_key_is_kept_locally_sent_as_a_header_and_a_refused_one_is_explained()
    {
        await OpenProblemAsync("add-numbers");
        await Page.GetByText("Settings").ClickAsync();
        await Page.GetByLabel("API key (optional)").FillAsync("not-a-known-key");
        await Page.GetByLabel("API key (optional)").PressAsync("Enter");
        (await Page.EvaluateAsync<string>("() => JSON.parse(localStorage.getItem('judge.apiKey'))")).Should().Be("not-a-known-key");

        var sent = Page.WaitForRequestAsync("**/v1/submissions");
        await ByTestId("submit").ClickAsync();
        (await (await sent).HeaderValueAsync("x-api-key")).Should().Be("not-a-known-key");
        // The real server knows no such key: 403.
        await Expect(ByTestId("error")).ToContainTextAsync("The API key was refused");

        await Page.GetByLabel("API key (optional)").FillAsync("");
        await Page.GetByLabel("API key (optional)").BlurAsync();
        await SubmitAndWaitAsync("wrong_answer");
    }
}
