using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Judge.Api.Auth;
using Judge.Api.Submissions;
using Judge.Api.Webhooks;
using Judge.Sandbox;
using Judge.Storage;
using Judge.Worker;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Judge.Api.Compat.Judge0;

/// <summary>Documentation of a submission as Judge0 writes it (the default response has 8 of these; fields=* all).
/// Texts may be base64 (base64_encoded=true), decimals are strings in seconds, memory is in KB.</summary>
public sealed record Judge0SubmissionDoc(
    [property: JsonPropertyName("source_code")] string? SourceCode,
    [property: JsonPropertyName("language_id")] int? LanguageId,
    [property: JsonPropertyName("stdin")] string? Stdin,
    [property: JsonPropertyName("expected_output")] string? ExpectedOutput,
    [property: JsonPropertyName("stdout")] string? Stdout,
    [property: JsonPropertyName("status_id")] int? StatusId,
    [property: JsonPropertyName("created_at")] string? CreatedAt,
    [property: JsonPropertyName("finished_at")] string? FinishedAt,
    [property: JsonPropertyName("time")] string? Time,
    [property: JsonPropertyName("memory")] int? Memory,
    [property: JsonPropertyName("stderr")] string? Stderr,
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("number_of_runs")] int? NumberOfRuns,
    [property: JsonPropertyName("cpu_time_limit")] string? CpuTimeLimit,
    [property: JsonPropertyName("cpu_extra_time")] string? CpuExtraTime,
    [property: JsonPropertyName("wall_time_limit")] string? WallTimeLimit,
    [property: JsonPropertyName("memory_limit")] int? MemoryLimit,
    [property: JsonPropertyName("stack_limit")] int? StackLimit,
    [property: JsonPropertyName("max_processes_and_or_threads")] int? MaxProcessesAndOrThreads,
    [property: JsonPropertyName("enable_per_process_and_thread_time_limit")] bool? EnablePerProcessAndThreadTimeLimit,
    [property: JsonPropertyName("enable_per_process_and_thread_memory_limit")] bool? EnablePerProcessAndThreadMemoryLimit,
    [property: JsonPropertyName("max_file_size")] int? MaxFileSize,
    [property: JsonPropertyName("compile_output")] string? CompileOutput,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("exit_signal")] int? ExitSignal,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("wall_time")] string? WallTime,
    [property: JsonPropertyName("compiler_options")] string? CompilerOptions,
    [property: JsonPropertyName("command_line_arguments")] string? CommandLineArguments,
    [property: JsonPropertyName("redirect_stderr_to_stdout")] bool? RedirectStderrToStdout,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl,
    [property: JsonPropertyName("additional_files")] string? AdditionalFiles,
    [property: JsonPropertyName("enable_network")] bool? EnableNetwork,
    [property: JsonPropertyName("status")] Judge0StatusDoc? Status,
    [property: JsonPropertyName("language")] Judge0LanguageDoc? Language);

public sealed record Judge0StatusDoc(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("description")] string Description);

public sealed record Judge0LanguageDoc(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("is_archived")] bool? IsArchived,
    [property: JsonPropertyName("source_file")] string? SourceFile,
    [property: JsonPropertyName("compile_cmd")] string? CompileCmd,
    [property: JsonPropertyName("run_cmd")] string? RunCmd);

/// <summary>The body of POST /submissions (Judge0 also reads these as numeric strings).</summary>
public sealed record Judge0SubmissionRequestDoc(
    [property: JsonPropertyName("source_code")] string SourceCode,
    [property: JsonPropertyName("language_id")] int LanguageId,
    [property: JsonPropertyName("stdin")] string? Stdin,
    [property: JsonPropertyName("expected_output")] string? ExpectedOutput,
    [property: JsonPropertyName("command_line_arguments")] string? CommandLineArguments,
    [property: JsonPropertyName("compiler_options")] string? CompilerOptions,
    [property: JsonPropertyName("cpu_time_limit")] double? CpuTimeLimit,
    [property: JsonPropertyName("cpu_extra_time")] double? CpuExtraTime,
    [property: JsonPropertyName("wall_time_limit")] double? WallTimeLimit,
    [property: JsonPropertyName("memory_limit")] int? MemoryLimit,
    [property: JsonPropertyName("stack_limit")] int? StackLimit,
    [property: JsonPropertyName("max_processes_and_or_threads")] int? MaxProcessesAndOrThreads,
    [property: JsonPropertyName("enable_per_process_and_thread_time_limit")] bool? EnablePerProcessAndThreadTimeLimit,
    [property: JsonPropertyName("enable_per_process_and_thread_memory_limit")] bool? EnablePerProcessAndThreadMemoryLimit,
    [property: JsonPropertyName("max_file_size")] int? MaxFileSize,
    [property: JsonPropertyName("number_of_runs")] int? NumberOfRuns,
    [property: JsonPropertyName("redirect_stderr_to_stdout")] bool? RedirectStderrToStdout,
    [property: JsonPropertyName("enable_network")] bool? EnableNetwork,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl,
    [property: JsonPropertyName("additional_files")] string? AdditionalFiles);

public sealed record Judge0BatchRequestDoc(
    [property: JsonPropertyName("submissions")] IReadOnlyList<Judge0SubmissionRequestDoc> Submissions);

public sealed record Judge0ErrorDoc(
    [property: JsonPropertyName("error")] string Error);

/// <summary>
/// Judge0 CE 1.13.1 for Python under <c>/judge0</c>: a client's base URL becomes <c>http://host:8080/judge0</c>.
/// Bodies, status codes and error shapes are Judge0's (not problem details): <c>{"error": "..."}</c> for 400/503,
/// <c>{"attribute": ["message"]}</c> for 422, and Rails' bare 401/404 (JSON <c>{"status": 404, "error": "Not Found"}</c>
/// only when the client asks for JSON alone).
/// </summary>
public static partial class Judge0Api
{
    public const string Surface = "judge0";

    public static IHostApplicationBuilder AddJudge0(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Judge0Options>().BindConfiguration("Judge0").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<PythonRuntime>();
        return builder;
    }

    public static RouteGroupBuilder MapJudge0(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/judge0").WithTags("Judge0")
            .WithCompatBasics(Surface, (_, _) => CompatSurface.Empty(StatusCodes.Status401Unauthorized),
                (http, text) => CompatSurface.Json(Error(text), StatusCodes.Status429TooManyRequests).ExecuteAsync(http));

        group.MapPost("/submissions", Create).RequireRateLimiting(ApiKeys.SubmitLimit)
            .WithSummary("Judge0: create a submission (201 {token}; wait=true: 201 with the result)")
            .Accepts<Judge0SubmissionRequestDoc>("application/json", "*/*")
            .Produces<Judge0SubmissionDoc>(StatusCodes.Status201Created).Produces<Judge0ErrorDoc>(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status401Unauthorized).Produces<Dictionary<string, string[]>>(StatusCodes.Status422UnprocessableEntity)
            .Produces<Judge0ErrorDoc>(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/submissions/batch", CreateBatch).RequireRateLimiting(ApiKeys.SubmitLimit)
            .WithSummary("Judge0: create up to 20 submissions ([{token} or per-item errors]; 201 when any was valid, else 422)")
            .Accepts<Judge0BatchRequestDoc>("application/json", "*/*")
            .Produces<JsonArray>(StatusCodes.Status201Created).Produces<Judge0ErrorDoc>(StatusCodes.Status400BadRequest)
            .Produces<JsonArray>(StatusCodes.Status422UnprocessableEntity).Produces<Judge0ErrorDoc>(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/submissions/batch", GetBatch).RequireRateLimiting(ApiKeys.ReadLimit)
            .WithSummary("Judge0: several submissions by comma-separated tokens ({submissions: [submission or null]})")
            .Produces<JsonObject>().Produces<Judge0ErrorDoc>(StatusCodes.Status400BadRequest);
        group.MapGet("/submissions/{token}", Get).RequireRateLimiting(ApiKeys.ReadLimit)
            .WithSummary("Judge0: a submission by token (fields, base64_encoded)")
            .Produces<Judge0SubmissionDoc>().Produces<Judge0ErrorDoc>(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status404NotFound);

        group.MapGet("/languages", async (PythonRuntime python, CancellationToken ct) =>
                CompatSurface.Json(Languages(await python.VersionAsync(ct), archived: false)))
            .WithSummary("Judge0: active languages (Python 3 under the ids Judge0 CE gave it)").Produces<Judge0LanguageDoc[]>();
        group.MapGet("/languages/all", async (PythonRuntime python, CancellationToken ct) =>
                CompatSurface.Json(Languages(await python.VersionAsync(ct), archived: true)))
            .WithSummary("Judge0: all languages with is_archived").Produces<Judge0LanguageDoc[]>();
        group.MapGet("/languages/{id}", Language).WithSummary("Judge0: one language").Produces<Judge0LanguageDoc>()
            .Produces(StatusCodes.Status404NotFound);
        group.MapGet("/statuses", () => CompatSurface.Json(new JsonArray([.. Judge0Status.All.Select(s =>
                (JsonNode)new JsonObject { ["id"] = s.Id, ["description"] = s.Description })])))
            .WithSummary("Judge0: the 14 statuses").Produces<Judge0StatusDoc[]>();

        group.MapGet("/about", () => CompatSurface.Json(new JsonObject
            {
                ["version"] = Judge0Config.Version, ["homepage"] = null, ["source_code"] = null,
                ["maintainer"] = "Judge (a Judge0 CE 1.13.1-compatible API for Python; not Judge0)",
            }))
            .WithSummary("Judge0: about (the Judge0 version this API answers as)").Produces<JsonObject>();
        group.MapGet("/version", () => TypedResults.Text(Judge0Config.Version))
            .WithSummary("Judge0: the Judge0 version this API answers as (text)").Produces<string>(contentType: "text/plain");
        group.MapGet("/license", () => TypedResults.Text(
                "Judge answers a Judge0 CE 1.13.1-compatible API for Python. It is not Judge0 and contains none of Judge0's code.\n"))
            .WithSummary("Judge0: license (text)").Produces<string>(contentType: "text/plain");
        group.MapGet("/config_info", (IOptions<Judge0Options> options, IOptions<QueueOptions> queue, IOptions<WebhookOptions> webhooks) =>
                CompatSurface.Json(Judge0Config.Info(options.Value, queue.Value.Capacity, webhooks.Value)))
            .WithSummary("Judge0: configuration (defaults and maxima as Judge honours them)").Produces<JsonObject>();
        group.MapGet("/system_info", () => CompatSurface.Json(SystemInfo())).WithSummary("Judge0: CPU and memory of this machine")
            .Produces<JsonObject>();
        group.MapGet("/statistics", Statistics).WithSummary("Judge0: submission counts").Produces<JsonObject>();
        group.MapGet("/workers", Workers).WithSummary("Judge0: the queue and its workers").Produces<JsonArray>();
        group.MapPost("/authenticate", () => CompatSurface.Empty(StatusCodes.Status200OK))
            .WithSummary("Judge0: 200 when the X-Auth-Token (or X-Api-Key) is accepted, else 401");
        group.MapPost("/authorize", (HttpContext http) => CompatSurface.Empty(http.User.IsInRole("admin") ? 200 : 403))
            .WithSummary("Judge0: 200 for an admin key, else 403");
        group.Map("/{**rest}", (HttpContext http) => RailsError(http, StatusCodes.Status404NotFound))
            .WithSummary("Anything else under /judge0: Rails' 404").Produces(StatusCodes.Status404NotFound);
        return group;
    }

    static JsonObject Error(string message) => new() { ["error"] = message };

    static IResult BadRequest(string message) => CompatSurface.Json(Error(message), StatusCodes.Status400BadRequest);

    /// <summary>Rails' answer to an unknown record or route, or a body it cannot parse: JSON only for a client that
    /// asks for JSON alone (an Accept list ending in */*, as browsers and axios send, gets the empty page).</summary>
    static IResult RailsError(HttpContext http, int status)
    {
        var accept = http.Request.Headers.Accept.ToString();
        var jsonOnly = accept.Length > 0 && !BrowserLikeAccept().IsMatch(accept) &&
                       MediaTypeHeaderValue.TryParseList([accept], out var types) && types.Count > 0 &&
                       types[0].MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
        return jsonOnly
            ? CompatSurface.Json(new JsonObject { ["status"] = status, ["error"] = status == 404 ? "Not Found" : "Bad Request" }, status)
            : CompatSurface.Empty(status);
    }

    [GeneratedRegex(@",\s*\*/\*|\*/\*\s*,")]
    private static partial Regex BrowserLikeAccept();

    /// <summary>A parameter as Rails reads it: from the JSON body when it is there, else from the query string.</summary>
    static string? Param(HttpContext http, JsonObject body, string name) =>
        body[name] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>()
        : body.ContainsKey(name) ? body[name]?.ToJsonString()
        : http.Request.Query.TryGetValue(name, out var q) ? q.ToString() : null;

    sealed record Body(JsonObject Json, IResult? Failure);

    static async Task<Body> ReadBody(HttpContext http, IOptions<LimitsOptions> limits, int items)
    {
        var max = (4L * (limits.Value.MaxCodeBytes + 2L * limits.Value.MaxStdinBytes) + 64 * 1024) * items;
        var read = await CompatSurface.ReadJsonAsync(http.Request, max);
        if (read.TooLarge) return new Body([], CompatSurface.Json(Error("request body is too large"), StatusCodes.Status413PayloadTooLarge));
        if (read.Malformed is not null) return new Body([], RailsError(http, StatusCodes.Status400BadRequest));
        return new Body(read.Json as JsonObject ?? [], null);
    }

    static async Task<IResult> Create(HttpContext http, IJudgeStore store, PendingRequests pending, PythonRuntime python,
        IOptions<LimitsOptions> limits, IOptions<QueueOptions> queue)
    {
        var body = await ReadBody(http, limits, 1);
        if (body.Failure is { } failure) return failure;
        var wait = Param(http, body.Json, "wait") == "true";
        var (fields, invalid) = Judge0Json.ParseFields(Param(http, body.Json, "fields"));
        if (invalid.Count > 0) return BadRequest($"invalid fields: [{string.Join(", ", invalid)}]");
        var base64 = Param(http, body.Json, "base64_encoded") == "true";

        var parsed = Judge0Request.Parse(body.Json, base64, Sizes(limits), DateTimeOffset.UtcNow);
        if (parsed.Submission is not { } submission) return CompatSurface.Json(Errors(parsed.Errors), StatusCodes.Status422UnprocessableEntity);
        var payload = Judge0Submissions.Payload(submission);
        var (outcome, token) = await pending.QueueAsync(JobKind.Run, ApiKeys.ClientId(http), payload, http.RequestAborted, CallbackOf(submission));
        if (Refused(http, outcome, queue.Value) is { } refused) return refused;
        if (!wait) return CompatSurface.Json(new JsonObject { ["token"] = token.ToString() }, StatusCodes.Status201Created);

        // wait=true: the answer is the finished submission (Judge0 runs it within the request; Judge runs it in its turn
        // in the fair queue and waits, at most the queue wait plus the runs' wall time; then it answers what there is).
        var longest = TimeSpan.FromSeconds(limits.Value.RunQueueSeconds) + payload.Repeat * TimeSpan.FromMilliseconds(payload.Run.Limits.WallMs);
        await store.WaitForCompletionAsync(token, longest, http.RequestAborted);
        var done = await Judge0Submissions.GetAsync(store, token, http.RequestAborted);
        if (done is null) return RailsError(http, StatusCodes.Status404NotFound); // purged meanwhile
        var json = Judge0Json.Serialize(done, fields, base64, await python.VersionAsync(http.RequestAborted));
        return CompatSurface.Json(json ?? new JsonObject { ["token"] = done.Token.ToString(), ["error"] = Judge0Json.ConversionError },
            StatusCodes.Status201Created);
    }

    static Callback? CallbackOf(Judge0Submission s) => s.CallbackUrl is { } url ? new Callback(url, Surface) : null;

    /// <summary>A submission the shared queue refused: Judge0's 503 when the queue is full; 429 in Judge0's error shape
    /// when this client already has Queue:MaxPendingRequestsPerClient submissions queued or running.</summary>
    static IResult? Refused(HttpContext http, InsertOutcome outcome, QueueOptions queue)
    {
        if (outcome is not (InsertOutcome.QueueFull or InsertOutcome.ClientBusy)) return null;
        http.Response.Headers.RetryAfter = queue.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return outcome == InsertOutcome.QueueFull
            ? CompatSurface.Json(Error("queue is full"), StatusCodes.Status503ServiceUnavailable)
            : CompatSurface.Json(Error($"this client already has {queue.MaxPendingRequestsPerClient} submissions queued or running; " +
                                       "retry when one has finished"), StatusCodes.Status429TooManyRequests);
    }

    static async Task<IResult> CreateBatch(HttpContext http, IJudgeStore store, PendingRequests pending, IOptions<Judge0Options> options,
        IOptions<LimitsOptions> limits, IOptions<QueueOptions> queue)
    {
        var body = await ReadBody(http, limits, options.Value.MaxSubmissionBatchSize);
        if (body.Failure is { } failure) return failure;
        var items = body.Json["submissions"] as JsonArray ?? [];
        if (items.Count > options.Value.MaxSubmissionBatchSize)
            return BadRequest($"number of submissions in a batch should be less than or equal to {options.Value.MaxSubmissionBatchSize}");
        if (items.Count == 0) return BadRequest("there should be at least one submission in a batch");
        var base64 = Param(http, body.Json, "base64_encoded") == "true";

        var response = new JsonArray();
        var queued = new List<Guid>();
        var clientId = ApiKeys.ClientId(http);
        foreach (var item in items)
        {
            var parsed = Judge0Request.Parse(item as JsonObject ?? [], base64, Sizes(limits), DateTimeOffset.UtcNow);
            if (parsed.Submission is not { } submission)
            {
                response.Add(Errors(parsed.Errors));
                continue;
            }
            var (outcome, token) = await pending.QueueAsync(
                JobKind.Run, clientId, Judge0Submissions.Payload(submission), http.RequestAborted, CallbackOf(submission));
            if (Refused(http, outcome, queue.Value) is { } refused)
            {
                // A batch is accepted whole or not at all, as Judge0 checks the queue for the whole batch: the ones
                // queued so far are taken back (any a worker has already started finish and are kept).
                foreach (var id in queued) await store.AbandonRequestAsync(id, CancellationToken.None);
                return refused;
            }
            queued.Add(token);
            response.Add(new JsonObject { ["token"] = token.ToString() });
        }
        return CompatSurface.Json(response, queued.Count > 0 ? StatusCodes.Status201Created : StatusCodes.Status422UnprocessableEntity);
    }

    static async Task<IResult> Get(string token, HttpContext http, IJudgeStore store, PythonRuntime python)
    {
        var (fields, invalid) = Judge0Json.ParseFields(http.Request.Query["fields"].ToString() is { Length: > 0 } f ? f : null);
        if (invalid.Count > 0) return BadRequest($"invalid fields: [{string.Join(", ", invalid)}]");
        var base64 = http.Request.Query["base64_encoded"] == "true";
        if (!Guid.TryParse(token, out var id) || await Judge0Submissions.GetAsync(store, id, http.RequestAborted) is not { } submission)
            return RailsError(http, StatusCodes.Status404NotFound);
        var json = Judge0Json.Serialize(submission, fields, base64, await python.VersionAsync(http.RequestAborted));
        return json is null ? BadRequest(Judge0Json.ConversionError) : CompatSurface.Json(json);
    }

    static async Task<IResult> GetBatch(HttpContext http, IJudgeStore store, PythonRuntime python, IOptions<Judge0Options> options)
    {
        var (fields, invalid) = Judge0Json.ParseFields(http.Request.Query["fields"].ToString() is { Length: > 0 } f ? f : null);
        if (invalid.Count > 0) return BadRequest($"invalid fields: [{string.Join(", ", invalid)}]");
        var base64 = http.Request.Query["base64_encoded"] == "true";
        var text = http.Request.Headers["tokens"].ToString() is { Length: > 0 } header ? header : http.Request.Query["tokens"].ToString();
        var tokens = text.Trim().Split(',').ToList();
        while (tokens.Count > 0 && tokens[^1].Length == 0) tokens.RemoveAt(tokens.Count - 1); // as Ruby's split
        if (tokens.Count > options.Value.MaxSubmissionBatchSize)
            return BadRequest($"number of submissions in a batch should be less than or equal to {options.Value.MaxSubmissionBatchSize}");
        if (tokens.Count == 0) return BadRequest("there should be at least one submission in a batch");

        var version = await python.VersionAsync(http.RequestAborted);
        var submissions = new JsonArray();
        foreach (var token in tokens)
        {
            var submission = Guid.TryParse(token, out var id) && token.Length == 36
                ? await Judge0Submissions.GetAsync(store, id, http.RequestAborted)
                : null;
            if (submission is null)
            {
                submissions.Add(null);
                continue;
            }
            if (Judge0Json.Serialize(submission, fields, base64, version) is not { } json) return BadRequest(Judge0Json.BatchConversionError);
            submissions.Add(json);
        }
        return CompatSurface.Json(new JsonObject { ["submissions"] = submissions });
    }

    static Judge0Request.SizeLimits Sizes(IOptions<LimitsOptions> limits) => new(limits.Value.MaxCodeBytes, limits.Value.MaxStdinBytes);

    static JsonObject Errors(OrderedDictionary<string, List<string>> errors)
    {
        var json = new JsonObject();
        foreach (var (field, messages) in errors) json[field] = new JsonArray([.. messages.Select(m => (JsonNode)m)]);
        return json;
    }

    static JsonArray Languages(string version, bool archived) => new([.. Judge0Languages.PythonIds.Select(id =>
    {
        var language = new JsonObject { ["id"] = id, ["name"] = Judge0Languages.Name(version) };
        if (archived) language["is_archived"] = false;
        return (JsonNode)language;
    })]);

    static async Task<IResult> Language(string id, HttpContext http, PythonRuntime python)
    {
        // Rails finds "71abc" as 71 (the string's leading digits).
        var digits = LeadingDigits().Match(id);
        if (!digits.Success || !long.TryParse(digits.Value, CultureInfo.InvariantCulture, out var n) || !Judge0Languages.Exists(n))
            return RailsError(http, StatusCodes.Status404NotFound);
        return CompatSurface.Json(new JsonObject
        {
            ["id"] = n, ["name"] = Judge0Languages.Name(await python.VersionAsync(http.RequestAborted)), ["is_archived"] = false,
            ["source_file"] = Judge0Languages.SourceFile, ["compile_cmd"] = null, ["run_cmd"] = Judge0Languages.RunCommand,
        });
    }

    [GeneratedRegex(@"^\s*[+-]?\d+")]
    private static partial Regex LeadingDigits();

    /// <summary>Judge0's statistics from the shared store: submissions in total, today and per day of the last 30
    /// (Judge0 submissions are the Run requests Judge keeps). Every language id is the same CPython, so they are counted
    /// as one; per-status counts would need every result read, so <c>statuses</c> is empty.</summary>
    static async Task<IResult> Statistics(IJudgeStore store, PythonRuntime python, IOptions<StorageOptions> storage, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var total = (await store.CountRequestsByDayAsync(JobKind.Run, DateTimeOffset.MinValue, ct)).Values.Sum(n => (long)n);
        var perDay = await store.CountRequestsByDayAsync(JobKind.Run, new DateTimeOffset(today.AddDays(-30).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), ct);
        var version = await python.VersionAsync(ct);
        var days = new JsonObject();
        for (var day = today.AddDays(-1); day >= today.AddDays(-30); day = day.AddDays(-1))
            days[day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)] = perDay.GetValueOrDefault(day);
        var languages = new JsonArray();
        if (total > 0)
            languages.Add(new JsonObject
            {
                ["language"] = new JsonObject { ["id"] = Judge0Languages.PythonIds[0], ["name"] = Judge0Languages.Name(version) }, ["count"] = total,
            });
        // The database's size is known for SQLite (its file); PostgreSQL's would need a query the store does not offer.
        var file = storage.Value.Provider == StorageProvider.Sqlite ? new FileInfo(Path.Combine(Path.GetFullPath(storage.Value.DataDirectory), "judge.db")) : null;
        long? bytes = file is { Exists: true } ? file.Length : null;
        return CompatSurface.Json(new JsonObject
        {
            ["created_at"] = Judge0Json.Time(now),
            ["cached_until"] = Judge0Json.Time(now),
            ["submissions"] = new JsonObject { ["total"] = total, ["today"] = perDay.GetValueOrDefault(today), ["last_30_days"] = days },
            ["languages"] = languages,
            ["statuses"] = new JsonArray(),
            ["database"] = new JsonObject { ["size_pretty"] = bytes is { } b ? PrettySize(b) : null, ["size_in_bytes"] = bytes },
        });
    }

    /// <summary>Judge0's worker list as one queue: jobs waiting and running cluster-wide (Judge's one fair queue serves
    /// every surface), with this node's own worker slots when it runs a worker.</summary>
    static async Task<IResult> Workers(IJudgeStore store, IServiceProvider services, CancellationToken ct)
    {
        var counts = await store.GetQueueCountsAsync(ct);
        var local = services.GetService<ISandboxStatus>() is { } sandbox
            ? services.GetService<IOptions<WorkerOptions>>()?.Value.Concurrency is > 0 and var n ? n : sandbox.SlotCount
            : 0;
        var available = Math.Max(local, counts.Running);
        return CompatSurface.Json(new JsonArray(new JsonObject
        {
            ["queue"] = Judge0Config.Version, ["size"] = counts.Queued, ["available"] = available,
            ["idle"] = available - counts.Running, ["working"] = counts.Running, ["paused"] = 0, ["failed"] = 0,
        }));
    }

    /// <summary>A size as PostgreSQL's pg_size_pretty writes it (bytes below 10 kB, then kB, MB, GB).</summary>
    static string PrettySize(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB"];
        double size = bytes;
        var unit = 0;
        while (unit < units.Length - 1 && Math.Abs(size) >= 10 * 1024 - 0.5)
        {
            size /= 1024;
            unit++;
        }
        return $"{Math.Round(size, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture)} {units[unit]}";
    }

    /// <summary>What Judge0 shows from lscpu and free: architecture, CPUs, model, memory and swap.</summary>
    static JsonObject SystemInfo()
    {
        var info = new JsonObject
        {
            ["Architecture"] = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant() switch
            {
                "x64" => "x86_64", "arm64" => "aarch64", var other => other,
            },
            ["CPU(s)"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null) info["Model name"] = model[(model.IndexOf(':') + 1)..].Trim();
            var meminfo = File.ReadLines("/proc/meminfo").Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
            info["Mem"] = Gibibytes(meminfo.GetValueOrDefault("MemTotal"));
            info["Swap"] = Gibibytes(meminfo.GetValueOrDefault("SwapTotal"));
        }
        catch (IOException)
        {
            // Not Linux, or /proc hidden: the rest is still true.
        }
        return info;
    }

    static string Gibibytes(long kb) => kb == 0 ? "0B" : (kb / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + "Gi";
}
