using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Judge.Api.Tests;

/// <summary>Submissions, runs, problem administration and redaction through the app's normal registration: the real pool and grader.</summary>
public sealed class RealSandboxTests
{
    static async Task<JudgeApiFactory> ReadyApi(IDictionary<string, string?>? settings = null)
    {
        var api = new JudgeApiFactory(settings);
        await api.WaitUntilReadyAsync();
        return api;
    }

    [Fact(Timeout = 180_000)]
    public async Task Healthz_is_200_once_the_pool_is_ready()
    {
        await using var api = await ReadyApi();
        var body = await api.CreateClient().GetFromJsonAsync<JsonElement>("/healthz");
        body.GetProperty("status").GetString().Should().Be("ready");
    }

    [Fact(Timeout = 180_000)]
    public async Task Healthz_is_503_naming_the_failed_check_when_the_sandbox_cannot_start()
    {
        await using var api = new JudgeApiFactory(new Dictionary<string, string?> { ["Sandbox:Bwrap"] = "/nonexistent/bwrap" });
        var client = api.CreateClient();
        await Task.Delay(500);
        var response = await client.GetAsync("/healthz");
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("status").GetString().Should().Be("not_ready");
        body.GetProperty("checks").GetProperty("sandbox").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact(Timeout = 180_000)]
    public async Task Submission_202_then_poll_gives_accepted_with_takeaway()
    {
        await using var api = await ReadyApi();
        var client = api.CreateClient();
        var response = await JudgeApiFactory.Submit(client, "add-two", TestProblems.AddTwoSolution);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var result = await JudgeApiFactory.PollUntilCompletedAsync(client, response.Headers.Location!.ToString());
        result.GetProperty("verdict").GetString().Should().Be("accepted", result.ToString());
        result.GetProperty("passed").GetInt32().Should().Be(3);
        result.GetProperty("total").GetInt32().Should().Be(3);
        result.GetProperty("takeaway").GetString().Should().Contain("printing is not returning");
        var tests = result.GetProperty("tests").EnumerateArray().ToList();
        tests.Select(t => t.GetProperty("name").GetString()).Should().Equal("small numbers", "negatives", "big secret");
        tests.Should().OnlyContain(t => t.GetProperty("verdict").GetString() == "accepted");
        tests[0].GetProperty("hidden").GetBoolean().Should().BeFalse();
        tests[2].GetProperty("hidden").GetBoolean().Should().BeTrue();
        tests[2].GetProperty("concept").GetString().Should().Be("hidden check");
    }

    [Fact(Timeout = 180_000)]
    public async Task Wait_true_returns_200_with_a_wrong_answer_showing_expected_and_actual_but_no_takeaway()
    {
        await using var api = await ReadyApi();
        var response = await JudgeApiFactory.Submit(api.CreateClient(), "add-two", TestProblems.AddTwoWrong, "?wait=true");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("status").GetString().Should().Be("completed");
        result.GetProperty("verdict").GetString().Should().Be("wrong_answer");
        result.TryGetProperty("takeaway", out _).Should().BeFalse();
        var first = result.GetProperty("tests")[0];
        first.GetProperty("verdict").GetString().Should().Be("wrong_answer");
        first.GetProperty("expected").GetInt32().Should().Be(3);
        first.GetProperty("actual").GetInt32().Should().Be(2);
        var hidden = result.GetProperty("tests")[2];
        hidden.TryGetProperty("expected", out _).Should().BeFalse();
        hidden.TryGetProperty("actual", out _).Should().BeFalse();
    }

    [Fact(Timeout = 180_000)]
    public async Task Runtime_error_reports_type_message_and_line()
    {
        await using var api = await ReadyApi();
        var response = await JudgeApiFactory.Submit(api.CreateClient(), "add-two", "def add(a, b):\n    raise ValueError('boom')\n", "?wait=true");
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("verdict").GetString().Should().Be("runtime_error");
        var error = result.GetProperty("tests")[0].GetProperty("error");
        error.GetProperty("type").GetString().Should().Be("ValueError");
        error.GetProperty("message").GetString().Should().Contain("boom");
    }

    [Fact(Timeout = 180_000)]
    public async Task Ad_hoc_run_returns_stdout_and_status()
    {
        await using var api = await ReadyApi();
        var client = api.CreateClient();
        var ok = await (await client.PostAsJsonAsync("/v1/runs", new { code = "print(input()[::-1])", stdin = "abc\n" })).Content.ReadFromJsonAsync<JsonElement>();
        ok.GetProperty("status").GetString().Should().Be("ok", ok.ToString());
        ok.GetProperty("stdout").GetString().Should().Be("cba\n");

        var failing = await (await client.PostAsJsonAsync("/v1/runs", new { code = "1 / 0" })).Content.ReadFromJsonAsync<JsonElement>();
        failing.GetProperty("status").GetString().Should().Be("runtime_error");
        failing.GetProperty("error").GetProperty("type").GetString().Should().Be("ZeroDivisionError");

        var slow = await (await client.PostAsJsonAsync("/v1/runs", new { code = "while True: pass", limits = new { timeMs = 100, memoryMb = 32 } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        slow.GetProperty("status").GetString().Should().Be("time_limit_exceeded");
    }

    [Fact(Timeout = 300_000)]
    public async Task Admin_creates_replaces_and_deletes_a_problem_that_survives_a_restart()
    {
        var dataDirectory = "";
        await using (var api = await ReadyApi())
        {
            dataDirectory = api.DataDirectory;
            var admin = api.ClientWith(JudgeApiFactory.AdminKey);
            var created = await admin.PostAsync("/v1/problems", JudgeApiFactory.Json(TestProblems.SecretProblemJson("twice")));
            created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            created.Headers.Location!.ToString().Should().Be("/v1/problems/twice");
            // Two tests, one hidden: valid, but below the quality bar, which the response says.
            (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("warnings").GetArrayLength().Should().BeGreaterThan(0);
            var replaced = await admin.PostAsync("/v1/problems", JudgeApiFactory.Json(TestProblems.SecretProblemJson("twice")));
            replaced.StatusCode.Should().Be(HttpStatusCode.OK);
            (await api.CreateClient().GetAsync("/v1/problems/twice")).StatusCode.Should().Be(HttpStatusCode.OK);

            // A document whose reference solution fails its own tests is refused by validation.
            var broken = TestProblems.SecretProblemJson("broken", solution: "def twice(s):\n    return s\n");
            var refused = await admin.PostAsync("/v1/problems", JudgeApiFactory.Json(broken));
            refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, await refused.Content.ReadAsStringAsync());
            (await api.CreateClient().GetAsync("/v1/problems/broken")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }

        await using (var again = new JudgeApiFactory(new Dictionary<string, string?> { ["Storage:DataDirectory"] = dataDirectory }))
        {
            var client = again.CreateClient();
            (await client.GetAsync("/v1/problems/twice")).StatusCode.Should().Be(HttpStatusCode.OK);
            var admin = again.ClientWith(JudgeApiFactory.AdminKey);
            (await admin.DeleteAsync("/v1/problems/twice")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await client.GetAsync("/v1/problems/twice")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await admin.DeleteAsync("/v1/problems/twice")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task A_marker_in_a_hidden_test_never_appears_in_any_response()
    {
        await using var api = await ReadyApi();
        var bodies = new List<string>();
        async Task<string> Read(HttpResponseMessage response)
        {
            var text = await response.Content.ReadAsStringAsync();
            bodies.Add(text);
            return text;
        }
        var admin = api.ClientWith(JudgeApiFactory.AdminKey);
        var client = api.CreateClient();
        var created = await admin.PostAsync("/v1/problems", JudgeApiFactory.Json(TestProblems.SecretProblemJson("twice-secret")));
        created.StatusCode.Should().Be(HttpStatusCode.Created, await Read(created));
        await Read(await client.GetAsync("/v1/problems/twice-secret"));
        await Read(await client.GetAsync("/v1/problems"));

        string[] attempts =
        [
            "def twice(s):\n    return s + s\n",                                      // accepted
            "def twice(s):\n    return s\n",                                          // wrong answer: actual holds the input
            "def twice(s):\n    print(s)\n    return s * 3\n",                       // prints the input
            "def twice(s):\n    raise ValueError(s)\n",                              // error message holds the input
            "def twice(s):\n    import sys\n    sys.stderr.write(s)\n    assert False, s\n",
            "def twice(s):\n    raise SyntaxError(s)\n",
        ];
        foreach (var code in attempts)
        {
            var response = await JudgeApiFactory.Submit(client, "twice-secret", code, "?wait=true");
            var text = await Read(response);
            response.StatusCode.Should().Be(HttpStatusCode.OK, text);
            var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString();
            await Read(await client.GetAsync($"/v1/submissions/{id}"));
        }
        JsonDocument.Parse(bodies[^1]).RootElement.GetProperty("tests").GetArrayLength().Should().Be(2);
        bodies.Should().NotContain(b => b.Contains(TestProblems.Marker, StringComparison.OrdinalIgnoreCase));
        bodies.Should().Contain(b => b.Contains("abab"), "visible tests are shown");
    }

    [Fact(Timeout = 180_000)]
    public async Task Metrics_count_submissions_by_verdict()
    {
        await using var api = await ReadyApi();
        var client = api.CreateClient();
        (await JudgeApiFactory.Submit(client, "add-two", TestProblems.AddTwoSolution, "?wait=true")).StatusCode.Should().Be(HttpStatusCode.OK);
        var text = await client.GetStringAsync("/metrics");
        // Every series carries the node's role and id.
        text.Should().MatchRegex("judge_submissions_total\\{verdict=\"accepted\",role=\"all\",node=\"[^\"]+\"\\} 1\\n");
        text.Should().MatchRegex("judge_test_runs_total\\{verdict=\"accepted\",role=\"all\",node=\"[^\"]+\"\\} 3\\n");
    }
}
