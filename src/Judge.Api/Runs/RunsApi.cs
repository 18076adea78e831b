using Judge.Core.Grading;
using System.Text;
using Judge.Api.Auth;
using Judge.Worker;
using Judge.Api.Submissions;
using Judge.Storage;
using Judge.Sandbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Judge.Api.Runs;

public sealed record RunLimits(int? TimeMs, int? MemoryMb);

public sealed record AdHocRunRequest(string? Code, string? Stdin, RunLimits? Limits);

public sealed record RunErrorView(string Type, string Message, int? Line, string? Traceback);

public sealed record AdHocRunView(
    RunStatus Status, string Stdout, string Stderr, bool StdoutTruncated, bool StderrTruncated, RunErrorView? Error,
    long TimeMs, long CpuMs, long MemoryKb);

internal static class RunsApi
{
    public static RouteGroupBuilder MapRuns(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/runs").WithTags("Runs").RequireAuthorization(ApiKeys.CandidatePolicy);
        group.MapPost("/", Run).RequireRateLimiting(ApiKeys.SubmitLimit)
            .WithSummary("Run code once as a script with optional stdin and limits; no problem, no grading")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    static async Task<Results<Ok<AdHocRunView>, ProblemHttpResult>> Run(
        AdHocRunRequest request, HttpContext http, PendingRequests pending, IOptions<LimitsOptions> limits,
        IOptions<QueueOptions> queueOptions, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Code is null) errors["code"] = ["is required"];
        else if (request.Code.Contains('\0')) errors["code"] = ["must not contain NUL characters"];
        if (request.Stdin?.Contains('\0') == true) errors["stdin"] = ["must not contain NUL characters"];
        var runLimits = new ResourceLimits(
            request.Limits?.TimeMs ?? ResourceLimits.Default.TimeMs, request.Limits?.MemoryMb ?? ResourceLimits.Default.MemoryMb);
        if (runLimits.TimeMs is < ResourceLimits.MinTimeMs or > ResourceLimits.MaxTimeMs)
            errors["limits.timeMs"] = [$"must be between {ResourceLimits.MinTimeMs} and {ResourceLimits.MaxTimeMs}"];
        if (runLimits.MemoryMb is < ResourceLimits.MinMemoryMb or > ResourceLimits.MaxMemoryMb)
            errors["limits.memoryMb"] = [$"must be between {ResourceLimits.MinMemoryMb} and {ResourceLimits.MaxMemoryMb}"];
        if (errors.Count > 0) return ApiResults.Invalid(errors);
        if (Encoding.UTF8.GetByteCount(request.Code!) > limits.Value.MaxCodeBytes)
            return ApiResults.TooLarge($"code is larger than {limits.Value.MaxCodeBytes} bytes.");
        if (request.Stdin is not null && Encoding.UTF8.GetByteCount(request.Stdin) > limits.Value.MaxStdinBytes)
            return ApiResults.TooLarge($"stdin is larger than {limits.Value.MaxStdinBytes} bytes.");
        // A node that runs the sandbox itself says at once that it is still warming up; an API node queues for the workers.
        if (http.RequestServices.GetService<ISandboxStatus>() is { IsReady: false } local)
            return ApiResults.Unavailable(http, $"The sandbox is not ready: {local.NotReadyReason}", queueOptions.Value.RetryAfterSeconds);

        var run = new RunRequest(request.Code!) { Stdin = request.Stdin, Mode = RunMode.Script, Limits = runLimits };
        var wait = TimeSpan.FromSeconds(limits.Value.RunQueueSeconds) + TimeSpan.FromMilliseconds(runLimits.WallMs);
        var answer = await pending.AskAsync<RunResult[]>(JobKind.Run, ApiKeys.ClientId(http), new RunJob(run), wait, ct);
        if (ApiResults.Refused(http, answer.Outcome, queueOptions.Value) is { } refused) return refused;
        var result = answer.Result is [var first, ..] ? first : RunResult.Internal("the worker answered no run");
        return TypedResults.Ok(new AdHocRunView(
            result.Status, result.Stdout, result.Stderr, result.StdoutTruncated, result.StderrTruncated,
            result.Error is { } e ? new RunErrorView(e.Type, e.Message, e.Line, e.Traceback) : null,
            result.WallMs, result.CpuMs, result.MemoryKb));
    }
}
