using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Judge.Api.Compat.Judge0;
using Judge.Sandbox;
using static Judge.Api.Tests.Compat.CompatHttp;

namespace Judge.Api.Tests.Compat;

/// <summary>The Judge0 CE 1.13.1 surface driven as its clients drive it (requests and responses from Judge0's own
/// documentation), with a scripted sandbox.</summary>
public sealed class Judge0Tests
{
    // Judge0 writes its attributes in its serializer's order, as its documentation shows them.
    static readonly string[] DefaultFields = ["stdout", "time", "memory", "stderr", "token", "compile_output", "message", "status"];

    static JudgeApiFactory Api(PythonFake sandbox, IDictionary<string, string?>? settings = null) => new(settings, sandbox);

    static async Task<JsonElement> WaitFinished(HttpClient client, string token, string query = "")
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var body = await Body(await client.GetAsync($"/judge0/submissions/{token}{query}"), HttpStatusCode.OK);
            if (body.GetProperty("status").GetProperty("id").GetInt32() > 2) return body;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(body.ToString());
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Create_answers_201_with_only_a_token_and_the_token_later_reads_the_default_eight_fields()
    {
        var sandbox = PythonFake.Hello();
        await using var api = Api(sandbox);
        var client = api.CreateClient();
        var created = await Body(await client.PostAsync("/judge0/submissions",
            Json("""{"source_code": "print('hello, ' + input())", "language_id": 71, "stdin": "world"}""")), HttpStatusCode.Created);
        Keys(created).Should().Equal("token");
        var token = created.GetProperty("token").GetString()!;
        Guid.TryParse(token, out _).Should().BeTrue();

        var result = await WaitFinished(client, token);
        Keys(result).Should().Equal(DefaultFields);
        result.GetProperty("token").GetString().Should().Be(token);
        result.GetProperty("stdout").GetString().Should().Be("hello, world\n");
        result.GetProperty("time").GetString().Should().Be("0.012");
        result.GetProperty("memory").GetInt32().Should().Be(380);
        result.GetProperty("stderr").ValueKind.Should().Be(JsonValueKind.Null);
        result.GetProperty("compile_output").ValueKind.Should().Be(JsonValueKind.Null);
        result.GetProperty("message").ValueKind.Should().Be(JsonValueKind.Null);
        result.GetProperty("status").GetProperty("id").GetInt32().Should().Be(3);
        result.GetProperty("status").GetProperty("description").GetString().Should().Be("Accepted");
        sandbox.Runs.Should().ContainSingle().Which.Should().Match<RunRequest>(r => r.Mode == RunMode.Script && r.Stdin == "world");
    }

    [Theory]
    [InlineData("hello, Judge0", 3, "Accepted")]
    [InlineData("hello, Judge0  \n\n\n", 3, "Accepted")]
    [InlineData("  hello, Judge0", 4, "Wrong Answer")]
    [InlineData("hello, judge0", 4, "Wrong Answer")]
    public async Task Wait_true_answers_201_with_the_result_and_compares_expected_output_without_trailing_whitespace(
        string expected, int statusId, string description)
    {
        await using var api = Api(new PythonFake(_ => PythonFake.Ok("hello, Judge0 \t\n\n")));
        var body = await Body(await api.CreateClient().PostAsync("/judge0/submissions?wait=true", Json(new
        {
            source_code = "print('hello, Judge0')", language_id = "71", stdin = "Judge0", expected_output = expected,
        })), HttpStatusCode.Created);
        Keys(body).Should().Equal(DefaultFields);
        body.GetProperty("status").GetProperty("id").GetInt32().Should().Be(statusId);
        body.GetProperty("status").GetProperty("description").GetString().Should().Be(description);
    }

    [Fact]
    public async Task Base64_goes_both_ways_with_lenient_decoding_and_Judge0s_line_broken_encoding()
    {
        var sandbox = new PythonFake(r => PythonFake.Ok(r.Stdin + "\n" + new string('x', 50) + "\n", "warn\n") with
        {
            Status = RunStatus.RuntimeError, Error = new RunError("ValueError", "bad", 1, Traceback: "Traceback...\nValueError: bad"),
        });
        await using var api = Api(sandbox);
        var client = api.CreateClient();
        // The source with a line break inside its base64, as Ruby's Base64.encode64 and many clients send it.
        var source = Convert.ToBase64String(Encoding.UTF8.GetBytes("print(input())\nraise ValueError('bad')\n")).Insert(8, "\n");
        var body = await Body(await client.PostAsync("/judge0/submissions?base64_encoded=true&wait=true&fields=*",
            Json(new { source_code = source, language_id = 71, stdin = "SnVkZ2Uw" })), HttpStatusCode.Created);
        sandbox.Runs.Single().Code.Should().Be("print(input())\nraise ValueError('bad')\n");
        sandbox.Runs.Single().Stdin.Should().Be("Judge0");

        var stdout = body.GetProperty("stdout").GetString()!;
        stdout.Split('\n').Should().HaveCount(3, "60 characters per line, and a line break at the end");
        stdout.Should().EndWith("\n");
        Encoding.UTF8.GetString(Convert.FromBase64String(stdout.Replace("\n", ""))).Should().Be("Judge0\n" + new string('x', 50) + "\n");
        body.GetProperty("message").GetString().Should().Be(Convert.ToBase64String("Exited with error status 1"u8.ToArray()) + "\n");
        Encoding.UTF8.GetString(Convert.FromBase64String(body.GetProperty("stderr").GetString()!.Replace("\n", "")))
            .Should().Be("warn\nTraceback...\nValueError: bad\n");
        body.GetProperty("source_code").GetString()!.Replace("\n", "").Should().Be(source.Replace("\n", ""));
        body.GetProperty("stdin").GetString().Should().Be("SnVkZ2Uw\n");

        var plain = await WaitFinished(client, body.GetProperty("token").GetString()!);
        plain.GetProperty("message").GetString().Should().Be("Exited with error status 1");
    }

    [Fact]
    public async Task Output_that_is_not_UTF8_needs_base64_encoded_true_and_otherwise_gets_Judge0s_error()
    {
        await using var api = Api(new PythonFake(_ => PythonFake.Ok("\uFFFD\n") with { StdoutBytes = [0xFE, 0x0A] }));
        var client = api.CreateClient();
        var created = await Body(await client.PostAsync("/judge0/submissions?wait=true",
            Json("""{"source_code": "import sys; sys.stdout.buffer.write(b'\\xfe\\n')", "language_id": 71}""")), HttpStatusCode.Created);
        Keys(created).Should().Equal("token", "error");
        created.GetProperty("error").GetString().Should().Be(
            "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter");
        var token = created.GetProperty("token").GetString();

        var refused = await Body(await client.GetAsync($"/judge0/submissions/{token}"), HttpStatusCode.BadRequest);
        refused.GetProperty("error").GetString().Should().StartWith("some attributes for this submission cannot be converted to UTF-8");
        var encoded = await Body(await client.GetAsync($"/judge0/submissions/{token}?base64_encoded=true"), HttpStatusCode.OK);
        encoded.GetProperty("stdout").GetString().Should().Be("/go=\n");
        // Fields that hold no such text are readable without base64.
        var status = await Body(await client.GetAsync($"/judge0/submissions/{token}?fields=status_id,time"), HttpStatusCode.OK);
        Keys(status).Should().Equal("status_id", "time");
        var batch = await Body(await client.GetAsync($"/judge0/submissions/batch?tokens={token}"), HttpStatusCode.BadRequest);
        batch.GetProperty("error").GetString().Should().StartWith("some attributes for one or more submissions cannot be converted to UTF-8");
    }

    public static TheoryData<string, string> InvalidSubmissions => new()
    {
        { """{"source_code": "print(1)", "language_id": 54}""", """{"language_id":["language with id 54 doesn't exist"]}""" },
        { """{"source_code": "print(1)", "language_id": 150000}""", """{"language_id":["language with id 150000 doesn't exist"]}""" },
        { """{}""", """{"source_code":["can't be blank"],"language_id":["can't be blank","language with id  doesn't exist"]}""" },
        { """{"source_code": "   ", "language_id": 71}""", """{"source_code":["can't be blank"]}""" },
        { """{"source_code": "x", "language_id": 71, "cpu_time_limit": 11}""", """{"cpu_time_limit":["must be less than or equal to 10.0"]}""" },
        { """{"source_code": "x", "language_id": 71, "wall_time_limit": 100000}""", """{"wall_time_limit":["must be less than or equal to 20.0"]}""" },
        { """{"source_code": "x", "language_id": 71, "wall_time_limit": 0.5}""", """{"wall_time_limit":["must be greater than or equal to 1"]}""" },
        { """{"source_code": "x", "language_id": 71, "memory_limit": 1000}""", """{"memory_limit":["must be greater than or equal to 2048"]}""" },
        { """{"source_code": "x", "language_id": 71, "number_of_runs": 0}""", """{"number_of_runs":["must be greater than 0"]}""" },
        { """{"source_code": "x", "language_id": 71, "max_file_size": 5000}""", """{"max_file_size":["must be less than or equal to 4096"]}""" },
        { """{"source_code": "x", "language_id": 71, "stack_limit": "abc"}""", """{"stack_limit":["is not a number"]}""" },
        { """{"source_code": "x", "language_id": 71, "enable_network": true}""", """{"enable_network":["enabling network is not allowed"]}""" },
        { """{"source_code": "x", "language_id": 71, "compiler_options": "-O2"}""",
          """{"compiler_options":["setting compiler options is only allowed for compiled languages"]}""" },
        { """{"source_code": "x", "language_id": 71, "callback_url": "file:///etc/passwd"}""", """{"callback_url":["must be an http or https URL"]}""" },
        { """{"source_code": "x", "language_id": 71, "enable_per_process_and_thread_time_limit": true}""",
          """{"enable_per_process_and_thread_time_limit":["this option cannot be enabled"]}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidSubmissions))]
    public async Task An_invalid_submission_is_422_with_Judge0s_errors_per_attribute_and_changes_nothing(string request, string errors)
    {
        var sandbox = PythonFake.Hello();
        await using var api = Api(sandbox);
        var client = api.CreateClient();
        var response = await client.PostAsync("/judge0/submissions", Json(request));
        (await Body(response, HttpStatusCode.UnprocessableEntity)).GetRawText().Should().Be(errors);
        (await Body(await client.PostAsync("/judge0/submissions?wait=true", Json(request)), HttpStatusCode.UnprocessableEntity))
            .GetRawText().Should().Be(errors);
        sandbox.Runs.Should().BeEmpty();
        var stats = await Body(await client.GetAsync("/judge0/statistics"), HttpStatusCode.OK);
        stats.GetProperty("submissions").GetProperty("total").GetInt64().Should().Be(0);
    }

    [Fact]
    public async Task Fields_select_attributes_in_Judge0s_order_star_gives_all_and_unknown_ones_are_400()
    {
        await using var api = Api(PythonFake.Hello());
        var client = api.CreateClient();
        var created = await Body(await client.PostAsync("/judge0/submissions?wait=true",
            Json("""{"source_code": "x", "language_id": 113, "stdin": "you", "command_line_arguments": "a b"}""")), HttpStatusCode.Created);
        var token = created.GetProperty("token").GetString();

        var some = await Body(await client.GetAsync($"/judge0/submissions/{token}?fields=stdout,status_id,language_id,stderr"), HttpStatusCode.OK);
        Keys(some).Should().Equal("language_id", "stdout", "status_id", "stderr");
        some.GetProperty("language_id").GetInt32().Should().Be(113);

        var all = await Body(await client.GetAsync($"/judge0/submissions/{token}?fields=*"), HttpStatusCode.OK);
        Keys(all).Should().Equal(Judge0Json.AllFields);
        all.GetProperty("language").GetProperty("name").GetString().Should().Be($"Python ({PythonFake.Version})");
        all.GetProperty("cpu_time_limit").GetString().Should().Be("5.0");
        all.GetProperty("wall_time_limit").GetString().Should().Be("10.0");
        all.GetProperty("memory_limit").GetInt32().Should().Be(128000);
        all.GetProperty("number_of_runs").GetInt32().Should().Be(1);
        all.GetProperty("exit_code").GetInt32().Should().Be(0);
        all.GetProperty("wall_time").GetString().Should().Be("0.034");
        all.GetProperty("command_line_arguments").GetString().Should().Be("a b");
        all.GetProperty("created_at").GetString().Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");
        all.GetProperty("finished_at").GetString().Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");

        var bad = await Body(await client.GetAsync($"/judge0/submissions/{token}?fields=stdout,foo,bar"), HttpStatusCode.BadRequest);
        bad.GetRawText().Should().Be("""{"error":"invalid fields: [foo, bar]"}""");
    }

    public enum Outcome { Exception, SystemExit3, SyntaxError, Segfault, FloatingPoint, Abort, Bus, CpuTime, WallClock, Flood, Internal }

    [Theory]
    [InlineData(Outcome.Exception, 11, "Runtime Error (NZEC)", 1, null, "Exited with error status 1")]
    [InlineData(Outcome.SystemExit3, 11, "Runtime Error (NZEC)", 3, null, "Exited with error status 3")]
    [InlineData(Outcome.SyntaxError, 11, "Runtime Error (NZEC)", 1, null, "Exited with error status 1")]
    [InlineData(Outcome.Segfault, 7, "Runtime Error (SIGSEGV)", 0, 11, "Caught fatal signal 11")]
    [InlineData(Outcome.FloatingPoint, 9, "Runtime Error (SIGFPE)", 0, 8, "Caught fatal signal 8")]
    [InlineData(Outcome.Abort, 10, "Runtime Error (SIGABRT)", 0, 6, "Caught fatal signal 6")]
    [InlineData(Outcome.Bus, 12, "Runtime Error (Other)", 0, 7, "Caught fatal signal 7")]
    [InlineData(Outcome.CpuTime, 5, "Time Limit Exceeded", 0, null, "Time limit exceeded")]
    [InlineData(Outcome.WallClock, 5, "Time Limit Exceeded", 0, null, "Time limit exceeded (wall clock)")]
    [InlineData(Outcome.Flood, 8, "Runtime Error (SIGXFSZ)", 0, 25, "Caught fatal signal 25")]
    [InlineData(Outcome.Internal, 13, "Internal Error", 0, null, "no sandbox host became available")]
    public async Task Each_way_a_run_ends_gets_Judge0s_status_exit_code_signal_and_isolates_message(
        Outcome outcome, int statusId, string description, int exitCode, int? signal, string message)
    {
        RunResult result = outcome switch
        {
            Outcome.Exception => Failed(RunStatus.RuntimeError, new RunError("NameError", "name 'x' is not defined", 1,
                Traceback: "Traceback (most recent call last):\nNameError: name 'x' is not defined")),
            Outcome.SystemExit3 => Failed(RunStatus.RuntimeError, new RunError("SystemExit", "3")),
            Outcome.SyntaxError => Failed(RunStatus.CompilationError, new RunError("SyntaxError", "'(' was never closed", 1, 6)),
            Outcome.Segfault => Failed(RunStatus.RuntimeError, new RunError("Killed", "SIGSEGV")) with { Signal = 11 },
            Outcome.FloatingPoint => Failed(RunStatus.RuntimeError, new RunError("Killed", "SIGFPE")) with { Signal = 8 },
            Outcome.Abort => Failed(RunStatus.RuntimeError, new RunError("Killed", "SIGABRT")) with { Signal = 6 },
            Outcome.Bus => Failed(RunStatus.RuntimeError, new RunError("Killed", "SIGBUS")) with { Signal = 7 },
            Outcome.CpuTime => Failed(RunStatus.TimeLimitExceeded, new RunError("TimeLimitExceeded", "CPU limit of 5000 ms exceeded")),
            Outcome.WallClock => Failed(RunStatus.TimeLimitExceeded, new RunError("TimeLimitExceeded", "wall-clock limit of 10200 ms exceeded")),
            Outcome.Flood => Failed(RunStatus.OutputLimitExceeded, new RunError("OutputLimitExceeded", "too much")),
            _ => RunResult.Internal("no sandbox host became available"),
        };
        await using var api = Api(new PythonFake(_ => result));
        var body = await Body(await api.CreateClient().PostAsync("/judge0/submissions?wait=true&fields=*",
            Json("""{"source_code": "print(", "language_id": 71}""")), HttpStatusCode.Created);
        body.GetProperty("status").GetProperty("id").GetInt32().Should().Be(statusId);
        body.GetProperty("status").GetProperty("description").GetString().Should().Be(description);
        body.GetProperty("status_id").GetInt32().Should().Be(statusId);
        body.GetProperty("exit_code").GetInt32().Should().Be(exitCode);
        if (signal is null) body.GetProperty("exit_signal").ValueKind.Should().Be(JsonValueKind.Null);
        else body.GetProperty("exit_signal").GetInt32().Should().Be(signal);
        body.GetProperty("message").GetString().Should().Be(message);
        body.GetProperty("compile_output").ValueKind.Should().Be(JsonValueKind.Null, "Python has no compile step in Judge0");
        if (outcome == Outcome.Exception) body.GetProperty("stderr").GetString().Should().EndWith("NameError: name 'x' is not defined\n");
        if (outcome == Outcome.SyntaxError)
            body.GetProperty("stderr").GetString().Should().Be("  File \"solution.py\", line 1\n    print(\n         ^\nSyntaxError: '(' was never closed\n");
        if (outcome == Outcome.Internal) body.GetProperty("time").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_run_that_fails_inside_Judge_is_Internal_Error_and_the_next_submission_still_runs()
    {
        var calls = 0;
        await using var api = Api(new PythonFake(_ => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("host vanished") : PythonFake.Ok("fine\n")));
        var client = api.CreateClient();
        var failed = await Body(await client.PostAsync("/judge0/submissions?wait=true",
            Json("""{"source_code": "x", "language_id": 71}""")), HttpStatusCode.Created);
        failed.GetProperty("status").GetProperty("id").GetInt32().Should().Be(13);
        failed.GetProperty("message").GetString().Should().NotContain("host vanished", "details stay in the log");
        var next = await Body(await client.PostAsync("/judge0/submissions?wait=true",
            Json("""{"source_code": "x", "language_id": 71}""")), HttpStatusCode.Created);
        next.GetProperty("stdout").GetString().Should().Be("fine\n");
    }

    static RunResult Failed(RunStatus status, RunError error) =>
        new() { Status = status, Error = error, CpuMs = 5, WallMs = 9, MemoryKb = 100, ExitCode = 0 };

    [Fact]
    public async Task Limits_arguments_and_options_reach_the_run_as_Judge_can_honour_them()
    {
        var sandbox = new PythonFake(_ => PythonFake.Ok("out\n", "err\n"));
        await using var api = Api(sandbox);
        var body = await Body(await api.CreateClient().PostAsync("/judge0/submissions?wait=true&fields=stdout,stderr,status",
            Json("""
                 {"source_code": "x", "language_id": 71, "cpu_time_limit": "2.5", "memory_limit": 65536,
                  "command_line_arguments": "first 'second word' \"third\\\" one\" $(rm) ;x", "redirect_stderr_to_stdout": true,
                  "number_of_runs": 3, "callback_url": "https://example.invalid/hook"}
                 """)), HttpStatusCode.Created);
        body.GetProperty("stdout").GetString().Should().Be("out\nerr\n");
        body.GetProperty("stderr").ValueKind.Should().Be(JsonValueKind.Null);
        sandbox.Runs.Should().HaveCount(3, "number_of_runs runs while they are accepted");
        var run = sandbox.Runs.First();
        run.Limits.Should().Be(new ResourceLimits(2500, 64));
        run.Args.Should().Equal("first", "second word", "third\" one", "(rm)", "x");
    }

    [Fact]
    public async Task Batches_create_per_item_tokens_or_errors_and_read_back_in_token_order_with_nulls()
    {
        await using var api = Api(PythonFake.Hello());
        var client = api.CreateClient();
        var created = await Body(await client.PostAsync("/judge0/submissions/batch", Json("""
            {"submissions": [{"source_code": "a", "language_id": 71, "stdin": "one"}, {"source_code": "b", "language_id": 4},
                             {"source_code": "c", "language_id": 92, "stdin": "three"}]}
            """)), HttpStatusCode.Created);
        created.GetArrayLength().Should().Be(3);
        created[1].GetRawText().Should().Be("""{"language_id":["language with id 4 doesn't exist"]}""");
        var tokens = new[] { created[0].GetProperty("token").GetString()!, created[2].GetProperty("token").GetString()! };
        foreach (var token in tokens) await WaitFinished(client, token);

        var read = await Body(await client.GetAsync(
            $"/judge0/submissions/batch?tokens={tokens[1]},{Guid.NewGuid()},not-a-token,{tokens[0]}&fields=stdout,status_id"), HttpStatusCode.OK);
        var list = read.GetProperty("submissions");
        list.GetArrayLength().Should().Be(4);
        list[0].GetRawText().Should().Be("""{"stdout":"hello, three\n","status_id":3}""");
        list[1].ValueKind.Should().Be(JsonValueKind.Null);
        list[2].ValueKind.Should().Be(JsonValueKind.Null);
        list[3].GetProperty("stdout").GetString().Should().Be("hello, one\n");

        var viaHeader = new HttpRequestMessage(HttpMethod.Get, "/judge0/submissions/batch");
        viaHeader.Headers.Add("tokens", tokens[0]);
        (await Body(await client.SendAsync(viaHeader), HttpStatusCode.OK)).GetProperty("submissions").GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Batch_limits_and_an_all_invalid_batch_answer_as_Judge0_and_change_nothing()
    {
        var sandbox = PythonFake.Hello();
        await using var api = Api(sandbox);
        var client = api.CreateClient();
        (await Body(await client.PostAsync("/judge0/submissions/batch", Json("""{"submissions": []}""")), HttpStatusCode.BadRequest))
            .GetRawText().Should().Be("""{"error":"there should be at least one submission in a batch"}""");
        var many = new { submissions = Enumerable.Range(0, 21).Select(_ => new { source_code = "x", language_id = 71 }) };
        (await Body(await client.PostAsync("/judge0/submissions/batch", Json(many)), HttpStatusCode.BadRequest))
            .GetRawText().Should().Be("""{"error":"number of submissions in a batch should be less than or equal to 20"}""");
        var invalid = await Body(await client.PostAsync("/judge0/submissions/batch",
            Json("""{"submissions": [{"language_id": 71}, {"source_code": "x"}]}""")), HttpStatusCode.UnprocessableEntity);
        invalid[0].GetRawText().Should().Be("""{"source_code":["can't be blank"]}""");
        invalid[1].GetProperty("language_id").EnumerateArray().Select(e => e.GetString()).Should().Contain("can't be blank");
        (await Body(await client.GetAsync("/judge0/submissions/batch?tokens="), HttpStatusCode.BadRequest))
            .GetRawText().Should().Be("""{"error":"there should be at least one submission in a batch"}""");
        sandbox.Runs.Should().BeEmpty();
        (await Body(await client.GetAsync("/judge0/statistics"), HttpStatusCode.OK)).GetProperty("submissions").GetProperty("total")
            .GetInt64().Should().Be(0);
    }

    [Fact]
    public async Task Unknown_tokens_and_routes_are_Rails_404s_empty_unless_the_client_asks_for_JSON_only()
    {
        await using var api = Api(PythonFake.Hello());
        var client = api.CreateClient();
        var plain = await client.GetAsync($"/judge0/submissions/{Guid.NewGuid()}");
        plain.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await plain.Content.ReadAsStringAsync()).Should().BeEmpty();

        var asJson = new HttpRequestMessage(HttpMethod.Get, "/judge0/submissions/nonsense");
        asJson.Headers.Add("Accept", "application/json");
        (await Body(await client.SendAsync(asJson), HttpStatusCode.NotFound)).GetRawText().Should().Be("""{"status":404,"error":"Not Found"}""");
        var axios = new HttpRequestMessage(HttpMethod.Get, "/judge0/languages/54");
        axios.Headers.TryAddWithoutValidation("Accept", "application/json, text/plain, */*");
        var axiosResponse = await client.SendAsync(axios);
        axiosResponse.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await axiosResponse.Content.ReadAsStringAsync()).Should().BeEmpty();
        (await client.GetAsync("/judge0/no/such/route")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var malformed = await client.PostAsync("/judge0/submissions", Json("""{"source_code": """));
        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await malformed.Content.ReadAsStringAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Languages_statuses_and_information_endpoints_answer_in_Judge0s_shapes()
    {
        await using var api = Api(PythonFake.Hello());
        var client = api.CreateClient();
        var languages = await Body(await client.GetAsync("/judge0/languages"), HttpStatusCode.OK);
        languages.EnumerateArray().Select(l => l.GetProperty("id").GetInt32()).Should().Contain([71, 113]);
        languages.EnumerateArray().Should().OnlyContain(l => l.GetProperty("name").GetString() == $"Python ({PythonFake.Version})");
        Keys(languages[0]).Should().Equal("id", "name");
        var all = await Body(await client.GetAsync("/judge0/languages/all"), HttpStatusCode.OK);
        Keys(all[0]).Should().Equal("id", "name", "is_archived");
        var one = await Body(await client.GetAsync("/judge0/languages/71"), HttpStatusCode.OK);
        Keys(one).Should().Equal("id", "name", "is_archived", "source_file", "compile_cmd", "run_cmd");
        one.GetProperty("compile_cmd").ValueKind.Should().Be(JsonValueKind.Null);
        (await client.GetAsync("/judge0/languages/54")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var statuses = await Body(await client.GetAsync("/judge0/statuses"), HttpStatusCode.OK);
        statuses.EnumerateArray().Select(s => s.GetProperty("id").GetInt32()).Should().Equal(Enumerable.Range(1, 14));
        statuses[10].GetProperty("description").GetString().Should().Be("Runtime Error (NZEC)");

        (await client.GetStringAsync("/judge0/version")).Should().Be("1.13.1");
        (await Body(await client.GetAsync("/judge0/about"), HttpStatusCode.OK)).GetProperty("version").GetString().Should().Be("1.13.1");
        var config = await Body(await client.GetAsync("/judge0/config_info"), HttpStatusCode.OK);
        config.GetProperty("max_cpu_time_limit").GetDouble().Should().Be(10.0);
        config.GetProperty("allow_enable_network").GetBoolean().Should().BeFalse();
        config.GetProperty("max_submission_batch_size").GetInt32().Should().Be(20);
        (await Body(await client.GetAsync("/judge0/system_info"), HttpStatusCode.OK)).GetProperty("CPU(s)").GetString().Should().NotBeEmpty();
        var workers = await Body(await client.GetAsync("/judge0/workers"), HttpStatusCode.OK);
        Keys(workers[0]).Should().Equal("queue", "size", "available", "idle", "working", "paused", "failed");
        (await client.GetStringAsync("/judge0/license")).Should().Contain("not Judge0");
    }

    [Fact]
    public async Task Statistics_count_the_submissions_kept_in_the_shared_store_by_day_as_one_python()
    {
        await using var api = Api(PythonFake.Hello());
        var client = api.CreateClient();
        for (var i = 0; i < 2; i++)
            await client.PostAsync("/judge0/submissions?wait=true", Json("""{"source_code": "x", "language_id": 71}"""));
        await client.PostAsync("/judge0/submissions", Json("""{"source_code": "x", "language_id": 113}"""));
        // An ad-hoc run of /v1 is not kept, so it is not a Judge0 submission.
        (await client.PostAsync("/v1/runs", Json("""{"code": "print(1)"}"""))).StatusCode.Should().Be(HttpStatusCode.OK);
        var stats = await Body(await client.GetAsync("/judge0/statistics"), HttpStatusCode.OK);
        stats.GetProperty("submissions").GetProperty("total").GetInt64().Should().Be(3);
        stats.GetProperty("submissions").GetProperty("today").GetInt64().Should().Be(3);
        stats.GetProperty("submissions").GetProperty("last_30_days").EnumerateObject().Should().HaveCount(30);
        stats.GetProperty("languages").GetArrayLength().Should().Be(1, "every Python id is the same CPython");
        stats.GetProperty("languages")[0].GetProperty("language").GetProperty("name").GetString().Should().Be($"Python ({PythonFake.Version})");
        stats.GetProperty("languages")[0].GetProperty("count").GetInt64().Should().Be(3);
        stats.GetProperty("statuses").GetArrayLength().Should().Be(0);
        stats.GetProperty("database").GetProperty("size_in_bytes").GetInt64().Should().BePositive();
    }

    [Fact]
    public async Task X_Auth_Token_is_a_client_key_and_a_missing_or_unknown_key_is_Judge0s_bare_401()
    {
        var sandbox = PythonFake.Hello();
        await using var api = Api(sandbox, new Dictionary<string, string?> { ["Auth:AllowAnonymous"] = "false" });
        var anonymous = api.CreateClient();
        var refused = await anonymous.PostAsync("/judge0/submissions", Json("""{"source_code": "x", "language_id": 71}"""));
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await refused.Content.ReadAsStringAsync()).Should().BeEmpty();
        var wrong = api.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Auth-Token", "not-a-key");
        (await wrong.GetAsync("/judge0/statuses")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await wrong.PostAsync("/judge0/authenticate", null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        sandbox.Runs.Should().BeEmpty();

        var client = api.CreateClient();
        client.DefaultRequestHeaders.Add("X-Auth-Token", JudgeApiFactory.ClientKey);
        (await client.PostAsync("/judge0/authenticate", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync("/judge0/authorize", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        await Body(await client.PostAsync("/judge0/submissions?wait=true", Json("""{"source_code": "x", "language_id": 71}""")),
            HttpStatusCode.Created);
        // The header is Judge0's only: /v1 still knows only X-Api-Key.
        var v1 = await client.PostAsJsonAsync("/v1/runs", new { code = "print(1)" });
        v1.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_full_queue_is_503_queue_is_full_and_rate_limits_answer_in_Judge0s_shape()
    {
        var sandbox = PythonFake.Hello();
        sandbox.Gate = new TaskCompletionSource();
        await using var api = Api(sandbox, new Dictionary<string, string?>
        {
            ["Queue:Capacity"] = "2", ["Worker:Concurrency"] = "1", ["RateLimit:SubmitPermitLimit"] = "4",
        });
        var client = api.CreateClient();
        var request = """{"source_code": "x", "language_id": 71}""";
        var first = await Body(await client.PostAsync("/judge0/submissions", Json(request)), HttpStatusCode.Created);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sandbox.Runs.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(10); // the worker holds the first
        await Body(await client.PostAsync("/judge0/submissions", Json(request)), HttpStatusCode.Created);
        await Body(await client.PostAsync("/judge0/submissions", Json(request)), HttpStatusCode.Created);
        (await Body(await client.PostAsync("/judge0/submissions", Json(request)), HttpStatusCode.ServiceUnavailable))
            .GetRawText().Should().Be("""{"error":"queue is full"}""");
        var limited = await Body(await client.PostAsync("/judge0/submissions", Json(request)), HttpStatusCode.TooManyRequests);
        limited.GetProperty("error").GetString().Should().Contain("Rate limit");
        var inQueue = await Body(await client.GetAsync($"/judge0/submissions/{first.GetProperty("token").GetString()}"), HttpStatusCode.OK);
        inQueue.GetProperty("status").GetProperty("id").GetInt32().Should().Be(2, "the first is processing");
        sandbox.Gate.SetResult();
    }

    [Fact]
    public async Task A_client_over_its_pending_cap_is_429_in_Judge0s_shape_and_a_batch_is_taken_whole_or_not_at_all()
    {
        var sandbox = PythonFake.Hello();
        sandbox.Gate = new TaskCompletionSource();
        // One running job per client: the first submission holds it, so the rest stay queued while the test looks.
        await using var api = Api(sandbox, new Dictionary<string, string?>
        {
            ["Queue:MaxPendingRequestsPerClient"] = "3", ["Queue:MaxRunningPerClient"] = "1",
        });
        var client = api.CreateClient();
        var one = """{"source_code": "x", "language_id": 71}""";
        await Body(await client.PostAsync("/judge0/submissions", Json(one)), HttpStatusCode.Created);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sandbox.Runs.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(10);

        static string Batch(int n) => JsonSerializer.Serialize(new { submissions = Enumerable.Range(0, n).Select(_ => new { source_code = "x", language_id = 71 }) });
        var refused = await client.PostAsync("/judge0/submissions/batch", Json(Batch(3)));
        (await Body(refused, HttpStatusCode.TooManyRequests)).GetRawText().Should().Be(
            """{"error":"this client already has 3 submissions queued or running; retry when one has finished"}""");
        refused.Headers.RetryAfter.Should().NotBeNull();
        async Task<long> Total() => (await Body(await client.GetAsync("/judge0/statistics"), HttpStatusCode.OK))
            .GetProperty("submissions").GetProperty("total").GetInt64();
        (await Total()).Should().Be(1, "the two queued before the refusal were taken back");

        var accepted = await Body(await client.PostAsync("/judge0/submissions/batch", Json(Batch(2))), HttpStatusCode.Created);
        accepted.EnumerateArray().Select(t => t.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String).Should().Equal(true, true);
        (await Total()).Should().Be(3);
        await Body(await client.PostAsync("/judge0/submissions", Json(one)), HttpStatusCode.TooManyRequests);
        // Another client has its own share.
        var other = api.CreateClient();
        other.DefaultRequestHeaders.Add("X-Auth-Token", JudgeApiFactory.ClientKey);
        await Body(await other.PostAsync("/judge0/submissions", Json(one)), HttpStatusCode.Created);
        sandbox.Gate.SetResult();
    }

    [Fact]
    public async Task Queued_submissions_survive_a_restart_and_run_afterwards()
    {
        var data = Path.Combine(Path.GetTempPath(), "judge0-restart-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Storage:DataDirectory"] = data };
        try
        {
            var stuck = PythonFake.Hello();
            stuck.Gate = new TaskCompletionSource();
            string[] tokens;
            await using (var before = Api(stuck, settings))
            {
                var client = before.CreateClient();
                tokens = await Task.WhenAll(Enumerable.Range(0, 3).Select(async i =>
                    (await Body(await client.PostAsync("/judge0/submissions", Json(new { source_code = "x", language_id = 71, stdin = $"run{i}" })),
                        HttpStatusCode.Created)).GetProperty("token").GetString()!));
            }
            var after = PythonFake.Hello();
            await using var restarted = Api(after, settings);
            var reader = restarted.CreateClient();
            foreach (var token in tokens)
                (await WaitFinished(reader, token)).GetProperty("status").GetProperty("id").GetInt32().Should().Be(3);
            after.Runs.Select(r => r.Stdin).Should().BeEquivalentTo(["run0", "run1", "run2"]);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
