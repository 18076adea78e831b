using Judge.Worker;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Judge.Api.Tests;

/// <summary>Pure HTTP behaviour (auth, validation, limits, queue, OpenAPI) with a scripted sandbox.</summary>
public sealed class HttpBehaviourTests
{
    static JudgeApiFactory Api(IDictionary<string, string?>? settings = null, FakeSandbox? sandbox = null) =>
        new(settings, sandbox ?? FakeSandbox.Blocking());

    static async Task<JsonElement> ProblemBody(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", text);
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("status").GetInt32().Should().Be((int)status);
        return body;
    }

    [Fact]
    public async Task Problems_list_filters_by_topic_and_difficulty()
    {
        await using var api = Api();
        var client = api.CreateClient();
        var all = await client.GetFromJsonAsync<JsonElement>("/v1/problems");
        all.EnumerateArray().Select(p => p.GetProperty("id").GetString()).Should().Equal("add-two");
        var first = all[0];
        first.GetProperty("difficulty").GetString().Should().Be("easy");
        first.GetProperty("topic").GetString().Should().Be("basics");
        first.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Equal("arithmetic");

        (await client.GetFromJsonAsync<JsonElement>("/v1/problems?topic=basics&difficulty=easy")).GetArrayLength().Should().Be(1);
        (await client.GetFromJsonAsync<JsonElement>("/v1/problems?topic=decorators")).GetArrayLength().Should().Be(0);
        (await client.GetFromJsonAsync<JsonElement>("/v1/problems?difficulty=hard")).GetArrayLength().Should().Be(0);
        await ProblemBody(await client.GetAsync("/v1/problems?difficulty=impossible"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Problem_detail_shows_visible_tests_only_and_never_solution_mutants_or_takeaway()
    {
        await using var api = Api();
        var client = api.CreateClient();
        var text = await client.GetStringAsync("/v1/problems/add-two");
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("statement").GetString().Should().Contain("add(a, b)");
        body.GetProperty("starter").GetString().Should().Contain("return 0");
        body.GetProperty("limits").GetProperty("timeMs").GetInt32().Should().Be(1000);
        body.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("name").GetString()).Should().Equal("small numbers", "negatives");
        body.GetProperty("tests")[0].GetProperty("expect").GetInt32().Should().Be(3);
        body.GetProperty("hiddenTests").GetInt32().Should().Be(1);
        text.Should().NotContain("big secret").And.NotContain("a + b").And.NotContain("subtracts").And.NotContain("printing is not returning");
        body.TryGetProperty("solution", out _).Should().BeFalse();
        body.TryGetProperty("takeaway", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Every_problem_in_the_bank_is_served_without_hidden_tests_or_solution()
    {
        var bank = Judge.Storage.ProblemsOptions.FindDefault(AppContext.BaseDirectory);
        bank.Should().NotBeNull("the repository has a problems folder");
        var problems = Judge.Core.Problems.ProblemLoader.LoadFolder(bank!).Where(r => r.Ok).Select(r => r.Problem!).ToList();
        problems.Should().NotBeEmpty();
        await using var api = Api(new Dictionary<string, string?> { ["Problems:Directory"] = bank });
        var client = api.CreateClient();
        (await client.GetFromJsonAsync<JsonElement>("/v1/problems")).GetArrayLength().Should().Be(problems.Count);
        foreach (var problem in problems)
        {
            var text = await client.GetStringAsync($"/v1/problems/{problem.Id}");
            var body = JsonDocument.Parse(text).RootElement;
            body.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("name").GetString())
                .Should().Equal(problem.Tests.Where(t => !t.Hidden).Select(t => t.Name), problem.Id);
            body.GetProperty("hiddenTests").GetInt32().Should().Be(problem.Tests.Count(t => t.Hidden));
            var solution = JsonSerializer.Serialize(problem.Solution.Trim());
            text.Should().NotContain(solution[1..^1], $"{problem.Id} must not reveal its solution");
            foreach (var mutant in problem.Mutants) text.Should().NotContain(JsonSerializer.Serialize(mutant.Code.Trim())[1..^1]);
        }
    }

    [Fact]
    public async Task Unknown_problem_and_unknown_submission_are_404_problem_details()
    {
        await using var api = Api();
        var client = api.CreateClient();
        await ProblemBody(await client.GetAsync("/v1/problems/no-such-problem"), HttpStatusCode.NotFound);
        await ProblemBody(await client.GetAsync($"/v1/submissions/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ProblemBody(await client.GetAsync("/v1/submissions/not-a-guid"), HttpStatusCode.NotFound);
        await ProblemBody(await JudgeApiFactory.Submit(client, "no-such-problem", "x = 1"), HttpStatusCode.NotFound);
        await ProblemBody(await api.ClientWith(JudgeApiFactory.AdminKey).DeleteAsync("/v1/problems/no-such-problem"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Submission_is_accepted_with_202_location_and_queued_status()
    {
        await using var api = Api();
        var client = api.CreateClient();
        var response = await JudgeApiFactory.Submit(client, "add-two", TestProblems.AddTwoSolution);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetGuid();
        body.GetProperty("status").GetString().Should().BeOneOf("queued", "running");
        response.Headers.Location!.ToString().Should().Be($"/v1/submissions/{id}");

        var polled = await client.GetFromJsonAsync<JsonElement>(response.Headers.Location);
        polled.GetProperty("id").GetGuid().Should().Be(id);
        polled.GetProperty("problemId").GetString().Should().Be("add-two");
        polled.GetProperty("status").GetString().Should().BeOneOf("queued", "running");
        polled.TryGetProperty("verdict", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Wait_true_answers_202_after_the_bounded_wait_when_grading_is_not_done()
    {
        await using var api = Api(new Dictionary<string, string?> { ["Limits:WaitSeconds"] = "1" });
        var started = DateTime.UtcNow;
        var response = await JudgeApiFactory.Submit(api.CreateClient(), "add-two", TestProblems.AddTwoSolution, "?wait=true");
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (DateTime.UtcNow - started).Should().BeGreaterThan(TimeSpan.FromMilliseconds(900)).And.BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("{\"problemId\": \"add-two\", \"code\": ", "malformed", true)]
    [InlineData("not json at all", "malformed", true)]
    [InlineData("{\"problemId\": \"add-two\", \"code\": 42}", "wrong type", true)]
    [InlineData("{\"problemId\": [\"add-two\"], \"code\": \"x = 1\"}", "wrong type", false)]
    [InlineData("[1, 2]", "wrong type", true)]
    public async Task Bad_json_is_400_problem_details_and_nothing_is_stored(string json, string why, bool badForRuns)
    {
        await using var api = Api();
        var client = api.CreateClient();
        var body = await ProblemBody(await client.PostAsync("/v1/submissions", JudgeApiFactory.Json(json)), HttpStatusCode.BadRequest);
        body.GetProperty("title").GetString().Should().NotBeNullOrEmpty(why);
        if (badForRuns) await ProblemBody(await client.PostAsync("/v1/runs", JudgeApiFactory.Json(json)), HttpStatusCode.BadRequest);
        SubmissionCount(api).Should().Be(0);
    }

    [Fact]
    public async Task Invalid_utf8_is_400()
    {
        await using var api = Api();
        var bytes = Encoding.UTF8.GetBytes("{\"problemId\": \"add-two\", \"code\": \"x = '").Concat(new byte[] { 0xff, 0xfe, 0xc3 })
            .Concat(Encoding.UTF8.GetBytes("'\"}")).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        await ProblemBody(await api.CreateClient().PostAsync("/v1/submissions", content), HttpStatusCode.BadRequest);
        SubmissionCount(api).Should().Be(0);
    }

    [Fact]
    public async Task Missing_fields_and_nul_bytes_are_422_naming_the_field_and_unknown_fields_are_ignored()
    {
        await using var api = Api();
        var client = api.CreateClient();
        var missing = await ProblemBody(await client.PostAsync("/v1/submissions", JudgeApiFactory.Json("{}")), HttpStatusCode.UnprocessableEntity);
        missing.GetProperty("errors").TryGetProperty("problemId", out _).Should().BeTrue();
        missing.GetProperty("errors").TryGetProperty("code", out _).Should().BeTrue();

        var nul = await ProblemBody(await JudgeApiFactory.Submit(client, "add-two", "x = 1\0"), HttpStatusCode.UnprocessableEntity);
        nul.GetProperty("errors").GetProperty("code")[0].GetString().Should().Contain("NUL");
        (await ProblemBody(await client.PostAsJsonAsync("/v1/runs", new { stdin = "x" }), HttpStatusCode.UnprocessableEntity))
            .GetProperty("errors").TryGetProperty("code", out _).Should().BeTrue();
        SubmissionCount(api).Should().Be(0);

        var extra = await client.PostAsync("/v1/submissions",
            JudgeApiFactory.Json("{\"problemId\": \"add-two\", \"code\": \"x = 1\", \"language\": \"cobol\", \"n\": [1]}"));
        extra.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Code_over_the_size_limit_is_413()
    {
        await using var api = Api(new Dictionary<string, string?> { ["Limits:MaxCodeBytes"] = "1024" });
        var client = api.CreateClient();
        await ProblemBody(await JudgeApiFactory.Submit(client, "add-two", new string('x', 1025)), HttpStatusCode.RequestEntityTooLarge);
        // Bytes, not characters: 400 two-byte characters are 800 bytes... and 600 are 1200.
        (await JudgeApiFactory.Submit(client, "add-two", "# " + new string('é', 400))).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await ProblemBody(await JudgeApiFactory.Submit(client, "add-two", "# " + new string('é', 600)), HttpStatusCode.RequestEntityTooLarge);
        await ProblemBody(await client.PostAsJsonAsync("/v1/runs", new { code = new string('x', 2000) }), HttpStatusCode.RequestEntityTooLarge);
        SubmissionCount(api).Should().Be(1);
    }

    [Fact]
    public async Task Default_code_limit_is_64_KiB()
    {
        await using var api = Api();
        var client = api.CreateClient();
        (await JudgeApiFactory.Submit(client, "add-two", new string('#', 64 * 1024))).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await ProblemBody(await JudgeApiFactory.Submit(client, "add-two", new string('#', 64 * 1024 + 1)), HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData(10, null, "limits.timeMs")]
    [InlineData(100_000, null, "limits.timeMs")]
    [InlineData(null, 1, "limits.memoryMb")]
    [InlineData(null, 100_000, "limits.memoryMb")]
    public async Task Run_limits_outside_the_allowed_range_are_422(int? timeMs, int? memoryMb, string field)
    {
        var sandbox = FakeSandbox.Echo();
        await using var api = Api(sandbox: sandbox);
        var body = await ProblemBody(await api.CreateClient().PostAsJsonAsync("/v1/runs",
            new { code = "print(1)", limits = new { timeMs, memoryMb } }), HttpStatusCode.UnprocessableEntity);
        body.GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue();
        sandbox.Runs.Should().Be(0);
    }

    [Fact]
    public async Task A_number_sent_as_a_string_is_a_wrong_type()
    {
        var sandbox = FakeSandbox.Echo();
        await using var api = Api(sandbox: sandbox);
        await ProblemBody(await api.CreateClient().PostAsync("/v1/runs",
            JudgeApiFactory.Json("{\"code\": \"print(1)\", \"limits\": {\"timeMs\": \"500\"}}")), HttpStatusCode.BadRequest);
        sandbox.Runs.Should().Be(0);
    }

    [Fact]
    public async Task Run_returns_the_sandbox_result_in_the_wire_shape()
    {
        await using var api = Api(sandbox: FakeSandbox.Echo());
        var response = await api.CreateClient().PostAsJsonAsync("/v1/runs", new { code = "print(input())", stdin = "hello", limits = new { timeMs = 500, memoryMb = 32 } });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("status").GetString().Should().Be("ok");
        body.GetProperty("stdout").GetString().Should().Be("hello");
        body.GetProperty("timeMs").GetInt64().Should().Be(3);
        body.GetProperty("cpuMs").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Admin_endpoints_need_an_admin_key()
    {
        await using var api = Api();
        var doc = JudgeApiFactory.Json(TestProblems.SecretProblemJson("twice"));
        await ProblemBody(await api.CreateClient().PostAsync("/v1/problems", doc), HttpStatusCode.Unauthorized);
        await ProblemBody(await api.ClientWith(JudgeApiFactory.ClientKey).PostAsync("/v1/problems", doc), HttpStatusCode.Forbidden);
        await ProblemBody(await api.ClientWith("wrong-key").PostAsync("/v1/problems", doc), HttpStatusCode.Forbidden);
        await ProblemBody(await api.CreateClient().DeleteAsync("/v1/problems/add-two"), HttpStatusCode.Unauthorized);
        await ProblemBody(await api.ClientWith(JudgeApiFactory.ClientKey).DeleteAsync("/v1/problems/add-two"), HttpStatusCode.Forbidden);
        (await api.CreateClient().GetAsync("/v1/problems/add-two")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Problems_from_the_folder_cannot_be_deleted_or_replaced_through_the_api()
    {
        await using var api = Api();
        var admin = api.ClientWith(JudgeApiFactory.AdminKey);
        await ProblemBody(await admin.DeleteAsync("/v1/problems/add-two"), HttpStatusCode.Conflict);
        (await admin.GetAsync("/v1/problems/add-two")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_problem_document_with_errors_is_422_listing_each_error_with_its_field()
    {
        await using var api = Api();
        var admin = api.ClientWith(JudgeApiFactory.AdminKey);
        var body = await ProblemBody(await admin.PostAsync("/v1/problems", JudgeApiFactory.Json(
            """{"id": "Not A Slug", "title": "t", "topic": "basics", "difficulty": "extreme", "statement": "s", "solution": "x = 1", "tests": []}""")),
            HttpStatusCode.UnprocessableEntity);
        var errors = body.GetProperty("errors");
        errors.TryGetProperty("id", out _).Should().BeTrue(errors.ToString());
        errors.TryGetProperty("difficulty", out _).Should().BeTrue(errors.ToString());
        errors.TryGetProperty("tests", out _).Should().BeTrue(errors.ToString());
        await ProblemBody(await admin.PostAsync("/v1/problems", JudgeApiFactory.Json("{\"id\": ")), HttpStatusCode.BadRequest);
        (await api.CreateClient().GetAsync("/v1/problems/Not A Slug")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Anonymous_use_can_be_turned_off_and_unknown_keys_are_refused()
    {
        await using var api = Api(new Dictionary<string, string?> { ["Auth:AllowAnonymous"] = "false" });
        await ProblemBody(await api.CreateClient().GetAsync("/v1/problems"), HttpStatusCode.Unauthorized);
        await ProblemBody(await JudgeApiFactory.Submit(api.CreateClient(), "add-two", "x = 1"), HttpStatusCode.Unauthorized);
        await ProblemBody(await api.ClientWith("not-a-key").GetAsync("/v1/problems"), HttpStatusCode.Forbidden);
        (await api.ClientWith(JudgeApiFactory.ClientKey).GetAsync("/v1/problems")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.ClientWith(JudgeApiFactory.AdminKey).GetAsync("/v1/problems")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await api.CreateClient().GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        SubmissionCount(api).Should().Be(0);
    }

    [Fact]
    public async Task Anonymous_use_is_allowed_by_default_but_an_unknown_key_is_refused()
    {
        await using var api = Api();
        (await api.CreateClient().GetAsync("/v1/problems")).StatusCode.Should().Be(HttpStatusCode.OK);
        await ProblemBody(await api.ClientWith("not-a-key").GetAsync("/v1/problems"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Rate_limit_is_per_key_with_429_and_retry_after()
    {
        await using var api = Api(new Dictionary<string, string?> { ["RateLimit:SubmitPermitLimit"] = "3", ["RateLimit:WindowSeconds"] = "60" }, FakeSandbox.Echo());
        var client = api.ClientWith(JudgeApiFactory.ClientKey);
        for (var i = 0; i < 3; i++)
            (await JudgeApiFactory.Submit(client, "add-two", $"x = {i}")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var limited = await JudgeApiFactory.Submit(client, "add-two", "x = 4");
        await ProblemBody(limited, HttpStatusCode.TooManyRequests);
        int.Parse(limited.Headers.GetValues("Retry-After").Single()).Should().BeInRange(1, 60);
        SubmissionCount(api).Should().Be(3);

        // Another key has its own budget; anonymous callers share one per IP.
        (await JudgeApiFactory.Submit(api.ClientWith(JudgeApiFactory.OtherClientKey), "add-two", "x = 5")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        for (var i = 0; i < 3; i++)
            (await api.CreateClient().PostAsJsonAsync("/v1/runs", new { code = "x" })).StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests);
        await ProblemBody(await api.CreateClient().PostAsJsonAsync("/v1/runs", new { code = "x" }), HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_and_stores_nothing()
    {
        await using var api = Api(new Dictionary<string, string?> { ["Queue:Capacity"] = "2", ["Worker:Concurrency"] = "1", ["Queue:RetryAfterSeconds"] = "7" });
        var client = api.ClientWith(JudgeApiFactory.ClientKey);
        // One submission is taken by the (blocked) worker, two wait: the fourth finds the queue full.
        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 6 && refused is null; i++)
        {
            var response = await JudgeApiFactory.Submit(client, "add-two", $"x = {i}");
            if (response.StatusCode == HttpStatusCode.Accepted) accepted++;
            else refused = response;
            await Task.Delay(100);
        }
        refused.Should().NotBeNull();
        await ProblemBody(refused!, HttpStatusCode.ServiceUnavailable);
        refused!.Headers.GetValues("Retry-After").Single().Should().Be("7");
        accepted.Should().BeInRange(2, 3);
        SubmissionCount(api).Should().Be(accepted);
    }

    [Fact]
    public async Task Same_idempotency_key_and_body_return_the_same_submission()
    {
        await using var api = Api();
        var client = api.ClientWith(JudgeApiFactory.ClientKey);
        async Task<HttpResponseMessage> Post(string key, string code)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = JsonContent.Create(new { problemId = "add-two", code }) };
            request.Headers.Add("Idempotency-Key", key);
            return await client.SendAsync(request);
        }
        var first = await Post("key-1", "x = 1");
        var second = await Post("key-1", "x = 1");
        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        second.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().Should().Be(firstId);
        second.Headers.Location.Should().Be(first.Headers.Location);

        await ProblemBody(await Post("key-1", "x = 2"), HttpStatusCode.UnprocessableEntity);
        var other = await Post("key-2", "x = 1");
        (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().Should().NotBe(firstId);
        // Keys are per client: another client's identical key is a new submission.
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = JsonContent.Create(new { problemId = "add-two", code = "x = 1" }) };
        request.Headers.Add("Idempotency-Key", "key-1");
        var fromOther = await api.ClientWith(JudgeApiFactory.OtherClientKey).SendAsync(request);
        (await fromOther.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().Should().NotBe(firstId);
        SubmissionCount(api).Should().Be(3);
    }

    [Fact]
    public async Task OpenApi_document_lists_every_endpoint_with_its_status_codes()
    {
        await using var api = Api();
        var client = api.CreateClient();
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        string[] Codes(string path, string method) =>
            [.. paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(p => p.Name)];

        paths.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            "/healthz", "/healthz/live", "/metrics", "/v1/problems", "/v1/problems/{id}", "/v1/submissions", "/v1/submissions/{id}", "/v1/runs",
            // The compatibility surfaces (their catch-all 404 routes are not documented).
            "/judge0/submissions", "/judge0/submissions/batch", "/judge0/submissions/{token}", "/judge0/languages",
            "/judge0/languages/all", "/judge0/languages/{id}", "/judge0/statuses", "/judge0/about", "/judge0/version", "/judge0/license",
            "/judge0/config_info", "/judge0/system_info", "/judge0/statistics", "/judge0/workers", "/judge0/authenticate",
            "/judge0/authorize", "/piston/api/v2/runtimes", "/piston/api/v2/execute");
        Codes("/healthz", "get").Should().Contain(["200", "503"]);
        Codes("/v1/problems", "get").Should().Contain(["200", "400"]);
        Codes("/v1/problems", "post").Should().Contain(["200", "201", "400", "401", "403", "409", "422"]);
        Codes("/v1/problems/{id}", "get").Should().Contain(["200", "404"]);
        Codes("/v1/problems/{id}", "delete").Should().Contain(["204", "401", "403", "404", "409"]);
        Codes("/v1/submissions", "post").Should().Contain(["200", "202", "400", "404", "413", "422", "429", "503"]);
        Codes("/v1/submissions/{id}", "get").Should().Contain(["200", "404"]);
        Codes("/v1/runs", "post").Should().Contain(["200", "400", "413", "422", "429"]);

        doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("name").GetString().Should().Be("X-Api-Key");
        paths.GetProperty("/v1/submissions").GetProperty("post").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()).Should().Contain(["wait", "Idempotency-Key"]);
        // Null fields are omitted on the wire, so only the always-present ones are required; numbers are numbers.
        var submission = doc.GetProperty("components").GetProperty("schemas").GetProperty("SubmissionView");
        submission.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Should().BeEquivalentTo("id", "problemId", "status", "createdAt");
        submission.GetProperty("properties").GetProperty("passed").GetProperty("type").ToString().Should().NotContain("string");
        var text = doc.ToString();
        text.Should().Contain("wrong_answer").And.Contain("time_limit_exceeded").And.Contain("runtime_error").And.Contain("application/problem+json");
        (await client.GetAsync("/scalar")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_text()
    {
        await using var api = Api();
        var client = api.CreateClient();
        await JudgeApiFactory.Submit(client, "add-two", "x = 1");
        var text = await client.GetStringAsync("/metrics");
        text.Should().Contain("judge_queue_depth").And.Contain("judge_sandbox_host_restarts").And.Contain("judge_grading_seconds");
    }

    [Fact]
    public async Task Responses_carry_a_request_id()
    {
        await using var api = Api();
        var response = await api.CreateClient().GetAsync("/v1/problems/nope");
        var id = response.Headers.GetValues("X-Request-Id").Single();
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetString().Should().Be(id);
    }

    [Fact]
    public async Task Storage_is_created_with_the_current_schema_on_first_start()
    {
        await using var api = Api();
        api.CreateClient();
        var store = (Judge.Storage.IJudgeStore)api.Services.GetService(typeof(Judge.Storage.IJudgeStore))!;
        File.Exists(Path.Combine(api.DataDirectory, "judge.db")).Should().BeTrue();
        (await store.GetSchemaVersionAsync()).Should().Be(Judge.Storage.Sqlite.SqliteSchema.Migrations.Length);
    }

    static int SubmissionCount(JudgeApiFactory api)
    {
        var path = Path.Combine(api.DataDirectory, "judge.db");
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM submissions";
        return (int)(long)cmd.ExecuteScalar()!;
    }
}
