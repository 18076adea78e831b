using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Judge.Api.Auth;
using Judge.Api.Submissions;
using Judge.Sandbox;
using Judge.Storage;
using Judge.Worker;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Semver;

namespace Judge.Api.Compat.Piston;

public sealed record PistonRuntime(
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("aliases")] IReadOnlyList<string> Aliases);

public sealed record PistonFile(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("content")] string Content,
    [property: JsonPropertyName("encoding")] string? Encoding);

/// <summary>The request Piston v2 takes (documentation: the body is read as JSON whatever its Content-Type).</summary>
public sealed record PistonExecuteRequest(
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("files")] IReadOnlyList<PistonFile> Files,
    [property: JsonPropertyName("stdin")] string? Stdin,
    [property: JsonPropertyName("args")] IReadOnlyList<string>? Args,
    [property: JsonPropertyName("run_timeout")] double? RunTimeout,
    [property: JsonPropertyName("run_cpu_time")] double? RunCpuTime,
    [property: JsonPropertyName("run_memory_limit")] double? RunMemoryLimit,
    [property: JsonPropertyName("compile_timeout")] double? CompileTimeout,
    [property: JsonPropertyName("compile_cpu_time")] double? CompileCpuTime,
    [property: JsonPropertyName("compile_memory_limit")] double? CompileMemoryLimit);

/// <summary>A stage's outcome as Piston reports it: status RE (exit status), SG (signal), TO (time), OL/EL (stdout/stderr
/// too long), XX (internal), or null after a clean exit. Times in ms, memory in bytes.</summary>
public sealed record PistonRun(
    [property: JsonPropertyName("signal")] string? Signal,
    [property: JsonPropertyName("stdout")] string Stdout,
    [property: JsonPropertyName("stderr")] string Stderr,
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("output")] string Output,
    [property: JsonPropertyName("memory")] long? Memory,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("cpu_time")] long? CpuTime,
    [property: JsonPropertyName("wall_time")] long? WallTime);

/// <summary>Interpreted languages have no compile stage: <c>compile</c> is absent, as in Piston.</summary>
public sealed record PistonExecuteResponse(
    [property: JsonPropertyName("run")] PistonRun Run,
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("version")] string Version);

public sealed record PistonMessage([property: JsonPropertyName("message")] string Message);

/// <summary>
/// Piston v2 (engineer-man/piston) for Python under <c>/piston/api/v2</c>: a client's base URL becomes
/// <c>http://host:8080/piston</c>. The first UTF-8 file runs as <c>__main__</c> with stdin and <c>sys.argv[1:]</c> =
/// <c>args</c>; other files are accepted but not written anywhere (the jail has no writable file system), so importing
/// them fails as a missing module would.
/// </summary>
internal static class PistonApi
{
    public const string Surface = "piston";
    const string Language = "python";

    // Piston's configured compile limits (its defaults): checked as Piston checks them, then unused (Python has no compile stage).
    const double CompileTimeoutMs = 10_000, CompileCpuTimeMs = 10_000, CompileMemoryLimitBytes = -1;

    static readonly JsonSerializerOptions Wire = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never, Encoder = CompatSurface.WireEncoder };

    public static IHostApplicationBuilder AddPiston(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PistonOptions>().BindConfiguration("Piston").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<PythonRuntime>();
        return builder;
    }

    public static RouteGroupBuilder MapPiston(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/piston").WithTags("Piston")
            .WithCompatBasics(Surface, Refuse, (http, text) => Write(http, StatusCodes.Status429TooManyRequests, text));
        group.MapGet("/api/v2/runtimes", Runtimes).RequireRateLimiting(ApiKeys.ReadLimit)
            .WithSummary("Piston v2: the runtimes (Python only, with its real version and Piston's aliases)")
            .Produces<IReadOnlyList<PistonRuntime>>();
        group.MapPost("/api/v2/execute", Execute).RequireRateLimiting(ApiKeys.SubmitLimit)
            .WithSummary("Piston v2: run the first UTF-8 file with stdin and args; the body is JSON whatever its Content-Type")
            // Any Content-Type (or none): routing must not turn a missing one into a 404.
            .Accepts<PistonExecuteRequest>("application/json", "*/*")
            .Produces<PistonExecuteResponse>()
            .Produces<PistonMessage>(StatusCodes.Status400BadRequest).Produces<PistonMessage>(StatusCodes.Status401Unauthorized)
            .Produces<PistonMessage>(StatusCodes.Status403Forbidden).Produces<PistonMessage>(StatusCodes.Status413PayloadTooLarge)
            .Produces<PistonMessage>(StatusCodes.Status429TooManyRequests).Produces<PistonMessage>(StatusCodes.Status503ServiceUnavailable);
        group.Map("/{**rest}", () => Message(StatusCodes.Status404NotFound, "Not Found"))
            .WithSummary("Anything else under /piston: Piston's 404").Produces<PistonMessage>(StatusCodes.Status404NotFound);
        return group;
    }

    static IResult Refuse(HttpContext http, bool unknownKey) => unknownKey
        ? Message(StatusCodes.Status403Forbidden, "The API key is not valid.")
        : Message(StatusCodes.Status401Unauthorized, "An API key is required (X-Api-Key).");

    static Task Write(HttpContext http, int status, string message) => Message(status, message).ExecuteAsync(http);

    static IResult Message(int status, string message) => TypedResults.Json(new PistonMessage(message), Wire, statusCode: status);

    static async Task<IResult> Runtimes(PythonRuntime python, CancellationToken ct) =>
        TypedResults.Json(new[] { Runtime(await python.VersionAsync(ct)) }, Wire);

    static PistonRuntime Runtime(string version)
    {
        var parts = version.Split('.');
        return new PistonRuntime(Language, version, ["py", "py3", "python3", $"python{parts[0]}.{parts[1]}"]);
    }

    static async Task<IResult> Execute(
        HttpContext http, PendingRequests pending, PythonRuntime python, IOptions<PistonOptions> options, IOptions<LimitsOptions> limits,
        IOptions<QueueOptions> queue, CancellationToken ct)
    {
        var maxBody = 4L * (limits.Value.MaxCodeBytes + limits.Value.MaxStdinBytes) + 64 * 1024;
        var read = await CompatSurface.ReadJsonAsync(http.Request, maxBody);
        if (read.TooLarge) return Message(StatusCodes.Status413PayloadTooLarge, "request entity too large");
        if (read.Malformed is { } malformed) return Message(StatusCodes.Status400BadRequest, malformed);
        var body = read.Json as JsonObject ?? [];

        var parsed = await ParseAsync(body, python, options.Value, limits.Value, ct);
        if (parsed.Error is { } error) return Message(StatusCodes.Status400BadRequest, error);
        var job = parsed.Job!;
        // A node that runs the sandbox itself says at once that it is still warming up; an API node queues for the workers.
        if (http.RequestServices.GetService<ISandboxStatus>() is { IsReady: false } local)
            return Unavailable(http, queue.Value, $"The sandbox is not ready: {local.NotReadyReason}");

        var run = new RunRequest(job.Code) { Mode = RunMode.Script, Stdin = job.Stdin, Args = job.Args, Limits = job.Limits };
        var wait = TimeSpan.FromSeconds(limits.Value.RunQueueSeconds) + TimeSpan.FromMilliseconds(run.Limits.WallMs);
        var answer = await pending.AskAsync<RunResult[]>(JobKind.Run, ApiKeys.ClientId(http), new RunJob(run) { Surface = Surface }, wait, ct);
        switch (answer.Outcome)
        {
            case RequestOutcome.QueueFull: return Unavailable(http, queue.Value, "The queue is full; retry later.");
            case RequestOutcome.TimedOut: return Unavailable(http, queue.Value, "No worker took the run in time; retry later.");
            case RequestOutcome.ClientBusy:
                http.Response.Headers.RetryAfter = queue.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Message(StatusCodes.Status429TooManyRequests,
                    $"This client already has {queue.Value.MaxPendingRequestsPerClient} runs queued or running; retry when one has finished.");
        }
        var result = answer.Result is [var first, ..] ? first : RunResult.Internal("the worker answered no run");
        return TypedResults.Json(new PistonExecuteResponse(Report(PythonProcess.From(result, job.Code), job), Language, job.Version), Wire);
    }

    static IResult Unavailable(HttpContext http, QueueOptions queue, string message)
    {
        http.Response.Headers.RetryAfter = queue.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Message(StatusCodes.Status503ServiceUnavailable, message);
    }

    sealed record Job(string Code, string Stdin, IReadOnlyList<string> Args, ResourceLimits Limits, string Version,
        double CpuLimitMs, double WallLimitMs);

    sealed record Parsed(Job? Job, string? Error);

    /// <summary>Piston's checks, in Piston's order and words; then the request as a Judge run.</summary>
    static async Task<Parsed> ParseAsync(JsonObject body, PythonRuntime python, PistonOptions options, LimitsOptions limits, CancellationToken ct)
    {
        static Parsed Fail(string message) => new(null, message);
        if (!IsNonEmptyString(body["language"], out var language)) return Fail("language is required as a string");
        if (!IsNonEmptyString(body["version"], out var versionRange)) return Fail("version is required as a string");
        if (body["files"] is not JsonArray files) return Fail("files is required as an array");
        for (var i = 0; i < files.Count; i++)
            if (files[i] is not JsonObject file || file["content"]?.GetValueKind() != JsonValueKind.String)
                return Fail($"files[{i}].content is required as a string");

        var version = await python.VersionAsync(ct);
        var runtime = Runtime(version);
        if (!(language == runtime.Language || runtime.Aliases.Contains(language)) || !Satisfies(version, versionRange))
            return Fail($"{language}-{versionRange} runtime is unknown");
        if (!files.Any(f => f!["encoding"] is not { } e || IsFalsy(e) || (e.GetValueKind() == JsonValueKind.String && e.GetValue<string>() == "utf8")))
            return Fail("files must include at least one utf8 encoded file");

        var configured = new Dictionary<string, double>
        {
            ["compile_memory_limit"] = CompileMemoryLimitBytes, ["run_memory_limit"] = options.RunMemoryLimitBytes,
            ["compile_timeout"] = CompileTimeoutMs, ["run_timeout"] = options.RunTimeoutMs,
            ["compile_cpu_time"] = CompileCpuTimeMs, ["run_cpu_time"] = options.RunCpuTimeMs,
        };
        foreach (var (name, limit) in configured)
        {
            var value = body[name];
            if (value is null || IsFalsy(value)) continue;
            if (value.GetValueKind() != JsonValueKind.Number) return Fail($"If specified, {name} must be a number");
            if (limit <= 0) continue;
            var number = value.GetValue<double>();
            if (number > limit) return Fail($"{name} cannot exceed the configured limit of {limit.ToString(CultureInfo.InvariantCulture)}");
            if (number < 0) return Fail($"{name} must be non-negative");
        }

        var args = new List<string>();
        if (body["args"] is { } argsNode && !IsFalsy(argsNode))
        {
            if (argsNode is not JsonArray argsArray) return Fail("args must be an array of strings");
            foreach (var arg in argsArray)
                args.Add(arg is null ? "null" : arg.GetValueKind() == JsonValueKind.String ? arg.GetValue<string>() : arg.ToJsonString());
        }
        var stdin = body["stdin"] is { } stdinNode && stdinNode.GetValueKind() == JsonValueKind.String ? stdinNode.GetValue<string>() : "";
        if (!stdin.EndsWith('\n')) stdin += "\n"; // Piston always ends stdin with a newline

        // The run file is the first file whose encoding Piston treats as utf8 (unknown encodings count as utf8).
        var main = files.OfType<JsonObject>().First(f => f["encoding"] is not { } e || e.GetValueKind() != JsonValueKind.String ||
            e.GetValue<string>() is not ("base64" or "hex"));
        var code = main["content"]!.GetValue<string>();
        if (Encoding.UTF8.GetByteCount(code) > limits.MaxCodeBytes) return Fail($"the file to run is larger than {limits.MaxCodeBytes} bytes");
        if (Encoding.UTF8.GetByteCount(stdin) > limits.MaxStdinBytes) return Fail($"stdin is larger than {limits.MaxStdinBytes} bytes");
        if (code.Contains('\0') || stdin.Contains('\0') || args.Any(a => a.Contains('\0'))) return Fail("files, stdin and args must not contain NUL characters");

        // Absent or 0 means the configured limit. The run's CPU budget is the smaller of both times (a run cannot
        // use more CPU than wall time), bounded by Judge's own; both are checked again on what was measured.
        double wall = Positive(body["run_timeout"]) ?? options.RunTimeoutMs;
        double cpu = Positive(body["run_cpu_time"]) ?? options.RunCpuTimeMs;
        double memoryMb = Positive(body["run_memory_limit"]) is { } bytes ? bytes / 1000 / 1024 : ResourceLimits.MaxMemoryMb;
        var runLimits = CompatLimits.RunLimits(cpu, wall, memoryMb);
        return new Parsed(new Job(code, stdin, args, runLimits, version, cpu, wall), null);
    }

    static PistonRun Report(PythonProcess p, Job job)
    {
        var stdout = Encoding.UTF8.GetString(p.Stdout);
        var stderr = Encoding.UTF8.GetString(p.Stderr);
        var (end, wallClock) = CompatLimits.Measured(p, job.WallLimitMs, job.CpuLimitMs);

        (string? status, string? message, int? code, string? signal) = end switch
        {
            ProcessEnd.Exited when p.ExitCode == 0 => (null, null, 0, null),
            ProcessEnd.Exited => ("RE", $"Exited with error status {p.ExitCode}", p.ExitCode, (string?)null),
            ProcessEnd.Signaled => ("SG", $"Caught fatal signal {p.Signal}", null, SignalName(p.Signal!.Value)),
            ProcessEnd.TimedOut => ("TO", wallClock ? "Time limit exceeded (wall clock)" : "Time limit exceeded", null, "SIGKILL"),
            ProcessEnd.OutputLimit when p.StderrOverflow => ("EL", "stderr length exceeded", null, "SIGKILL"),
            ProcessEnd.OutputLimit => ("OL", "stdout length exceeded", null, "SIGKILL"),
            _ => ("XX", p.InternalMessage, null, null),
        };
        // Piston's output interleaves both streams as they arrive; Judge captures them apart, so stdout comes first.
        return new PistonRun(signal, stdout, stderr, code, stdout + stderr, p.MemoryKb * 1000, message, status, p.CpuMs, p.WallMs);
    }

    static bool Satisfies(string version, string range)
    {
        var parts = version.Split('.');
        var full = parts.Length == 2 ? version + ".0" : version;
        return SemVersion.TryParse(full, SemVersionStyles.Strict, out var v) && SemVersionRange.TryParseNpm(range, out var r) && r.Contains(v);
    }

    static bool IsNonEmptyString(JsonNode? node, out string value)
    {
        value = node is not null && node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : "";
        return value.Length > 0;
    }

    /// <summary>JavaScript's falsy values among JSON ones: false, 0, "" (null is absent).</summary>
    static bool IsFalsy(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.False or JsonValueKind.Null => true,
        JsonValueKind.Number => node.GetValue<double>() == 0,
        JsonValueKind.String => node.GetValue<string>().Length == 0,
        _ => false,
    };

    static double? Positive(JsonNode? node) =>
        node is not null && node.GetValueKind() == JsonValueKind.Number && node.GetValue<double>() is > 0 and var d ? d : null;

    static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP", 2 => "SIGINT", 3 => "SIGQUIT", 4 => "SIGILL", 5 => "SIGTRAP", 6 => "SIGABRT", 7 => "SIGBUS", 8 => "SIGFPE",
        9 => "SIGKILL", 10 => "SIGUSR1", 11 => "SIGSEGV", 12 => "SIGUSR2", 13 => "SIGPIPE", 14 => "SIGALRM", 15 => "SIGTERM",
        24 => "SIGXCPU", 25 => "SIGXFSZ", 31 => "SIGSYS", _ => $"SIG{signal}",
    };
}
