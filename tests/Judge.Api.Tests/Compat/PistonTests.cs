using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Judge.Sandbox;
using static Judge.Api.Tests.Compat.CompatHttp;

namespace Judge.Api.Tests.Compat;

/// <summary>The Piston v2 surface driven as its clients drive it, with a scripted sandbox; plus what both compat
/// surfaces share (OpenAPI groups, metrics).</summary>
public sealed class PistonTests
{
    static JudgeApiFactory Api(PythonFake sandbox, IDictionary<string, string?>? settings = null) => new(settings, sandbox);

    static readonly string[] RunKeys = ["signal", "stdout", "stderr", "code", "output", "memory", "message", "status", "cpu_time", "wall_time"];

    [Fact]
    public async Task Runtimes_list_python_with_the_sandboxs_version_and_Pistons_aliases()
    {
        await using var api = Api(PythonFake.Hello());
        var runtimes = await Body(await api.CreateClient().GetAsync("/piston/api/v2/runtimes"), HttpStatusCode.OK);
        runtimes.GetRawText().Should().Be(
            $$"""[{"language":"python","version":"{{PythonFake.Version}}","aliases":["py","py3","python3","python3.11"]}]""");
    }

    [Fact]
    public async Task Execute_runs_the_first_utf8_file_with_stdin_and_args_and_answers_Pistons_run_object()
    {
        var sandbox = new PythonFake(r => PythonFake.Ok("got " + r.Stdin, "note\n"));
        await using var api = Api(sandbox);
        // No Content-Type at all, as the npm piston-client sends, and a trailing slash.
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            language = "py", version = "3.x",
            files = new object[]
            {
                new { name = "data.bin", content = "AAEC", encoding = "base64" },
                new { name = "main.py", content = "print('got', input())" },
                new { name = "helper.py", content = "X = 1" },
            },
            stdin = "abc", args = new object[] { "1", 2, "three" },
        })));
        var response = await api.CreateClient().PostAsync("/piston/api/v2/execute/", content);
        var body = await Body(response, HttpStatusCode.OK);
        Keys(body).Should().Equal("run", "language", "version");
        body.GetProperty("language").GetString().Should().Be("python");
        body.GetProperty("version").GetString().Should().Be(PythonFake.Version);
        var run = body.GetProperty("run");
        Keys(run).Should().Equal(RunKeys);
        run.GetProperty("stdout").GetString().Should().Be("got abc\n");
        run.GetProperty("stderr").GetString().Should().Be("note\n");
        run.GetProperty("output").GetString().Should().Be("got abc\nnote\n");
        run.GetProperty("code").GetInt32().Should().Be(0);
        run.GetProperty("signal").ValueKind.Should().Be(JsonValueKind.Null);
        run.GetProperty("status").ValueKind.Should().Be(JsonValueKind.Null);
        run.GetProperty("message").ValueKind.Should().Be(JsonValueKind.Null);
        run.GetProperty("cpu_time").GetInt64().Should().Be(12);
        run.GetProperty("wall_time").GetInt64().Should().Be(34);
        run.GetProperty("memory").GetInt64().Should().Be(380_000);

        var request = sandbox.Runs.Single();
        request.Code.Should().Be("print('got', input())");
        request.Stdin.Should().Be("abc\n", "Piston ends stdin with a newline");
        request.Args.Should().Equal("1", "2", "three");
        request.Mode.Should().Be(RunMode.Script);
        request.Limits.Should().Be(new ResourceLimits(3000, ResourceLimits.MaxMemoryMb));
    }

    [Theory]
    [InlineData("python", "*")]
    [InlineData("python3", PythonFake.Version)]
    [InlineData("py3", "3")]
    [InlineData("python", ">=3.10 <4")]
    [InlineData("python3.11", "^3.11.0")]
    public async Task Versions_match_as_semver_ranges(string language, string version)
    {
        await using var api = Api(PythonFake.Hello());
        var response = await api.CreateClient().PostAsync("/piston/api/v2/execute",
            Json(new { language, version, files = new[] { new { content = "print(1)" } } }));
        (await Body(response, HttpStatusCode.OK)).GetProperty("version").GetString().Should().Be(PythonFake.Version);
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"version": "*", "files": [{"content": "x"}]}""", "language is required as a string" },
        { """{"language": 3, "version": "*", "files": [{"content": "x"}]}""", "language is required as a string" },
        { """{"language": "python", "files": [{"content": "x"}]}""", "version is required as a string" },
        { """{"language": "python", "version": "*"}""", "files is required as an array" },
        { """{"language": "python", "version": "*", "files": [{"content": "x"}, {"name": "b.py"}]}""", "files[1].content is required as a string" },
        { """{"language": "python", "version": "2.7", "files": [{"content": "x"}]}""", "python-2.7 runtime is unknown" },
        { """{"language": "ruby", "version": "*", "files": [{"content": "x"}]}""", "ruby-* runtime is unknown" },
        { """{"language": "python", "version": "*", "files": [{"content": "AA==", "encoding": "base64"}]}""", "files must include at least one utf8 encoded file" },
        { """{"language": "python", "version": "*", "files": [{"content": "x"}], "run_timeout": 60000}""", "run_timeout cannot exceed the configured limit of 3000" },
        { """{"language": "python", "version": "*", "files": [{"content": "x"}], "run_cpu_time": -5}""", "run_cpu_time must be non-negative" },
        { """{"language": "python", "version": "*", "files": [{"content": "x"}], "run_timeout": "1000"}""", "If specified, run_timeout must be a number" },
        { """{"language": "python", "version": "*", "files": [{"content": "x"}], "compile_timeout": 20000}""", "compile_timeout cannot exceed the configured limit of 10000" },
        { """{"language": "python", "version": "*", "files": [{"content": "x"}], "args": "1 2"}""", "args must be an array of strings" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_is_400_with_Pistons_message_and_runs_nothing(string request, string message)
    {
        var sandbox = PythonFake.Hello();
        await using var api = Api(sandbox);
        var body = await Body(await api.CreateClient().PostAsync("/piston/api/v2/execute", Json(request)), HttpStatusCode.BadRequest);
        body.GetRawText().Should().Be(JsonSerializer.Serialize(new { message }, new JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
        sandbox.Runs.Should().BeEmpty();
    }

    [Fact]
    public async Task Malformed_json_and_unknown_paths_answer_with_a_message_and_run_nothing()
    {
        var sandbox = PythonFake.Hello();
        await using var api = Api(sandbox);
        var client = api.CreateClient();
        (await Body(await client.PostAsync("/piston/api/v2/execute", Json("{\"language\": ")), HttpStatusCode.BadRequest))
            .GetProperty("message").GetString().Should().NotBeNullOrEmpty();
        (await Body(await client.GetAsync("/piston/api/v2/packages"), HttpStatusCode.NotFound)).GetRawText()
            .Should().Be("""{"message":"Not Found"}""");
        sandbox.Runs.Should().BeEmpty();
    }

    [Fact]
    public async Task The_piston_client_defaults_of_minus_one_memory_are_accepted_and_limits_map_onto_Judges()
    {
        var sandbox = PythonFake.Hello();
        await using var api = Api(sandbox);
        var client = api.CreateClient();
        // The npm piston-client's own defaults.
        await Body(await client.PostAsync("/piston/api/v2/execute", Json("""
            {"language": "python", "version": "3.11.97", "files": [{"content": "x"}], "stdin": "", "args": ["1", "2", "3"],
             "compile_timeout": 10000, "run_timeout": 3000, "compile_memory_limit": -1, "run_memory_limit": -1}
            """)), HttpStatusCode.OK);
        sandbox.Runs.Single().Limits.Should().Be(new ResourceLimits(3000, ResourceLimits.MaxMemoryMb));
        await Body(await client.PostAsync("/piston/api/v2/execute", Json("""
            {"language": "python", "version": "*", "files": [{"content": "x"}], "run_timeout": 2500, "run_cpu_time": 700,
             "run_memory_limit": 100000000}
            """)), HttpStatusCode.OK);
        sandbox.Runs.Last().Limits.Should().Be(new ResourceLimits(700, 98));
    }

    public enum Outcome { Exit2, Exception, Segfault, Timeout, WallClock, StdoutFlood, StderrFlood, Internal, SlowerThanAsked }

    [Theory]
    [InlineData(Outcome.Exit2, "RE", "Exited with error status 2", 2, null)]
    [InlineData(Outcome.Exception, "RE", "Exited with error status 1", 1, null)]
    [InlineData(Outcome.Segfault, "SG", "Caught fatal signal 11", null, "SIGSEGV")]
    [InlineData(Outcome.Timeout, "TO", "Time limit exceeded", null, "SIGKILL")]
    [InlineData(Outcome.WallClock, "TO", "Time limit exceeded (wall clock)", null, "SIGKILL")]
    [InlineData(Outcome.SlowerThanAsked, "TO", "Time limit exceeded (wall clock)", null, "SIGKILL")]
    [InlineData(Outcome.StdoutFlood, "OL", "stdout length exceeded", null, "SIGKILL")]
    [InlineData(Outcome.StderrFlood, "EL", "stderr length exceeded", null, "SIGKILL")]
    [InlineData(Outcome.Internal, "XX", "no sandbox host became available", null, null)]
    public async Task Each_way_a_run_ends_gets_Pistons_status_message_code_and_signal(
        Outcome outcome, string status, string message, int? code, string? signal)
    {
        RunResult result = outcome switch
        {
            Outcome.Exit2 => new() { Status = RunStatus.RuntimeError, Error = new RunError("SystemExit", "2") },
            Outcome.Exception => new() { Status = RunStatus.RuntimeError, Error = new RunError("ZeroDivisionError", "division by zero", 1,
                Traceback: "Traceback (most recent call last):\nZeroDivisionError: division by zero") },
            Outcome.Segfault => new() { Status = RunStatus.RuntimeError, Error = new RunError("Killed", "x"), Signal = 11 },
            Outcome.Timeout => new() { Status = RunStatus.TimeLimitExceeded, Error = new RunError("TimeLimitExceeded", "CPU limit of 3000 ms exceeded") },
            Outcome.WallClock => new() { Status = RunStatus.TimeLimitExceeded, Error = new RunError("TimeLimitExceeded", "wall-clock limit of 6200 ms exceeded") },
            Outcome.SlowerThanAsked => PythonFake.Ok("late\n") with { WallMs = 1500 },
            Outcome.StdoutFlood => new() { Status = RunStatus.OutputLimitExceeded, StdoutTruncated = true },
            Outcome.StderrFlood => new() { Status = RunStatus.OutputLimitExceeded, StderrTruncated = true },
            _ => RunResult.Internal("no sandbox host became available"),
        };
        await using var api = Api(new PythonFake(_ => result));
        var body = await Body(await api.CreateClient().PostAsync("/piston/api/v2/execute",
            Json("""{"language": "python", "version": "*", "files": [{"content": "x"}], "run_timeout": 1000}""")), HttpStatusCode.OK);
        var run = body.GetProperty("run");
        run.GetProperty("status").GetString().Should().Be(status);
        run.GetProperty("message").GetString().Should().Be(message);
        if (code is null) run.GetProperty("code").ValueKind.Should().Be(JsonValueKind.Null);
        else run.GetProperty("code").GetInt32().Should().Be(code);
        if (signal is null) run.GetProperty("signal").ValueKind.Should().Be(JsonValueKind.Null);
        else run.GetProperty("signal").GetString().Should().Be(signal);
        if (outcome == Outcome.Exception) run.GetProperty("stderr").GetString().Should().EndWith("ZeroDivisionError: division by zero\n");
    }

    [Fact]
    public async Task A_client_over_its_pending_cap_is_429_with_Pistons_message_while_its_first_run_goes_on()
    {
        var sandbox = PythonFake.Hello();
        sandbox.Gate = new TaskCompletionSource();
        await using var api = Api(sandbox, new Dictionary<string, string?> { ["Queue:MaxPendingRequestsPerClient"] = "1" });
        var client = api.CreateClient();
        var request = """{"language": "python", "version": "*", "files": [{"content": "x"}]}""";
        var first = client.PostAsync("/piston/api/v2/execute", Json(request));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sandbox.Runs.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(10);

        var busy = await client.PostAsync("/piston/api/v2/execute", Json(request));
        (await Body(busy, HttpStatusCode.TooManyRequests)).GetProperty("message").GetString().Should()
            .Be("This client already has 1 runs queued or running; retry when one has finished.");
        busy.Headers.RetryAfter.Should().NotBeNull();
        sandbox.Gate.SetResult();
        (await Body(await first, HttpStatusCode.OK)).GetProperty("run").GetProperty("stdout").GetString().Should().Be("hello, \n");
    }

    [Fact]
    public async Task Piston_keys_are_checked_and_refused_in_Pistons_shape()
    {
        var sandbox = PythonFake.Hello();
        await using var api = Api(sandbox, new Dictionary<string, string?> { ["Auth:AllowAnonymous"] = "false" });
        var request = """{"language": "python", "version": "*", "files": [{"content": "x"}]}""";
        (await Body(await api.CreateClient().PostAsync("/piston/api/v2/execute", Json(request)), HttpStatusCode.Unauthorized))
            .TryGetProperty("message", out _).Should().BeTrue();
        var wrong = api.ClientWith("wrong-key");
        (await Body(await wrong.PostAsync("/piston/api/v2/execute", Json(request)), HttpStatusCode.Forbidden))
            .TryGetProperty("message", out _).Should().BeTrue();
        sandbox.Runs.Should().BeEmpty();
        await Body(await api.ClientWith(JudgeApiFactory.ClientKey).PostAsync("/piston/api/v2/execute", Json(request)), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Both_surfaces_have_their_own_OpenAPI_groups_and_count_requests_and_runs_in_metrics()
    {
        await using var api = Api(PythonFake.Hello());
        var client = api.CreateClient();
        await client.PostAsync("/piston/api/v2/execute", Json("""{"language": "python", "version": "*", "files": [{"content": "x"}]}"""));
        await client.PostAsync("/judge0/submissions?wait=true", Json("""{"source_code": "x", "language_id": 71}"""));
        await client.PostAsync("/judge0/submissions", Json("""{"source_code": "x", "language_id": 1}"""));

        var metrics = await client.GetStringAsync("/metrics");
        // Every series also carries the node's role and id.
        static string Series(string name, string labels) => $"(?m)^{System.Text.RegularExpressions.Regex.Escape(name + "{" + labels)},role=\"all\",node=\"[^\"]+\"}} 1$";
        metrics.Should().MatchRegex(Series("judge_compat_runs_total", "surface=\"piston\",status=\"ok\""));
        metrics.Should().MatchRegex(Series("judge_compat_runs_total", "surface=\"judge0\",status=\"ok\""));
        metrics.Should().MatchRegex(Series("judge_compat_requests_total", "surface=\"judge0\",route=\"/judge0/submissions\",code=\"422\""));
        metrics.Should().MatchRegex(Series("judge_compat_requests_total", "surface=\"piston\",route=\"/piston/api/v2/execute\",code=\"200\""));

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        paths.GetProperty("/piston/api/v2/execute").GetProperty("post").GetProperty("tags")[0].GetString().Should().Be("Piston");
        paths.GetProperty("/judge0/submissions").GetProperty("post").GetProperty("tags")[0].GetString().Should().Be("Judge0");
        paths.GetProperty("/judge0/submissions/batch").GetProperty("get").GetProperty("tags")[0].GetString().Should().Be("Judge0");
        string[] Codes(string path, string method) =>
            [.. paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(p => p.Name)];
        Codes("/judge0/submissions", "post").Should().Contain(["201", "400", "401", "422", "503"]);
        Codes("/judge0/submissions/{token}", "get").Should().Contain(["200", "400", "404"]);
        Codes("/piston/api/v2/execute", "post").Should().Contain(["200", "400", "401", "403", "413", "429", "503"]);
        var run = document.GetProperty("components").GetProperty("schemas").GetProperty("PistonRun").GetProperty("properties");
        run.EnumerateObject().Select(p => p.Name).Should().Contain(["cpu_time", "wall_time", "signal", "output"]);
        var submission = document.GetProperty("components").GetProperty("schemas").GetProperty("Judge0SubmissionDoc").GetProperty("properties");
        submission.EnumerateObject().Select(p => p.Name).Should().Contain(["source_code", "cpu_time_limit", "status", "language"]);
    }
}
