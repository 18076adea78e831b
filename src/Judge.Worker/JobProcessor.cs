using System.Diagnostics;
using System.Text.Json;
using Judge.Core;
using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Core.Validation;
using Judge.Sandbox;
using Judge.Storage;
using Microsoft.Extensions.Options;

namespace Judge.Worker;

/// <summary>What a worker does with each kind of job: grade a submission, run an ad-hoc request, validate a problem.</summary>
public sealed class JobProcessor(
    IJudgeStore store, CatalogSync catalog, Grader grader, ProblemValidator validator, ISandbox sandbox, JudgeMetrics metrics,
    IOptions<ShownOptions> shown, ILogger<JobProcessor> logger)
{
    /// <summary>Works on the job and stores its result; false when the result was not stored because the job is no
    /// longer this worker's.</summary>
    public Task<bool> ProcessAsync(ClaimedJob job, CancellationToken ct) => job.Kind switch
    {
        JobKind.Submission => GradeAsync(job, ct),
        JobKind.Run => RunAsync(job, ct),
        _ => ValidateAsync(job, ct),
    };

    /// <summary>Completes a job without working on it (it was interrupted too often).</summary>
    public async Task<bool> GiveUpAsync(ClaimedJob job, string why, CancellationToken ct)
    {
        logger.LogError("Giving up job {JobId}: {Why}", job.Id, why);
        return job.Kind switch
        {
            JobKind.Submission => await CompleteSubmissionAsync(job, SubmissionResult.Internal($"Grading failed: {why}."), null, ct),
            JobKind.Run => await store.CompleteRequestAsync(job, Serialize(new[] { RunResult.Internal(why) }), ct),
            _ => await store.CompleteRequestAsync(job, Serialize(ValidationOutcome.Failed(why)), ct),
        };
    }

    async Task<bool> GradeAsync(ClaimedJob job, CancellationToken ct)
    {
        var submission = await store.GetSubmissionAsync(job.Id, ct);
        if (submission is null) return await store.CompleteSubmissionAsync(job, new CompletedSubmission("{}", null), ct);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["SubmissionId"] = job.Id, ["ProblemId"] = submission.ProblemId });
        metrics.QueueWaitSeconds.Observe(Math.Max(0, (DateTimeOffset.UtcNow - job.QueuedAt).TotalSeconds));

        var started = Stopwatch.GetTimestamp();
        SubmissionResult result;
        string? version = null;
        if (await catalog.FindAsync(submission.ProblemId, ct) is not { } problem)
            result = SubmissionResult.Internal($"Problem '{submission.ProblemId}' no longer exists.");
        else
        {
            version = problem.Version;
            try
            {
                var grade = await grader.GradeAsync(problem, submission.Code, ct);
                result = SubmissionResult.From(grade, problem.Takeaway, shown.Value.MaxShownBytes);
                foreach (var test in grade.Tests) metrics.TestRuns.WithLabels(JudgeMetrics.Label(test.Verdict)).Inc();
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogError(e, "Grading failed");
                result = SubmissionResult.Internal("Grading failed; the error was logged.");
            }
        }
        metrics.GradingSeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        var stored = await CompleteSubmissionAsync(job, result, version, ct);
        if (stored) logger.LogInformation("Submission graded: {Verdict} {Passed}/{Total}", result.Verdict, result.Passed, result.Total);
        return stored;
    }

    async Task<bool> CompleteSubmissionAsync(ClaimedJob job, SubmissionResult result, string? version, CancellationToken ct)
    {
        var stored = await store.CompleteSubmissionAsync(job, new CompletedSubmission(Serialize(result), version), ct);
        if (stored) metrics.Submissions.WithLabels(JudgeMetrics.Label(result.Verdict)).Inc();
        return stored;
    }

    async Task<bool> RunAsync(ClaimedJob job, CancellationToken ct)
    {
        var record = await store.GetRequestAsync(job.Id, ct);
        var request = record is null ? null : JsonSerializer.Deserialize<RunJob>(record.PayloadJson, JudgeJson.Options);
        var results = new List<RunResult>();
        if (request?.Run is null) results.Add(RunResult.Internal("the run request could not be read"));
        else
        {
            metrics.QueueWaitSeconds.Observe(Math.Max(0, (DateTimeOffset.UtcNow - job.QueuedAt).TotalSeconds));
            for (var i = 0; i < Math.Clamp(request.Repeat, 1, RunJob.MaxRepeat); i++)
            {
                RunResult result;
                try
                {
                    result = await sandbox.RunAsync(request.Run, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // As a submission whose grading failed: an answer (internal error) at once, not a retry after the lease.
                    logger.LogError(e, "Run {JobId} failed", job.Id);
                    result = RunResult.Internal("the run failed; the error was logged");
                }
                results.Add(result);
                if (request.Surface is { } surface) metrics.CompatRuns.WithLabels(surface, JudgeMetrics.Label(result.Status)).Inc();
                else
                {
                    metrics.AdHocRuns.WithLabels(JudgeMetrics.Label(result.Status)).Inc();
                    metrics.AdHocRunSeconds.Observe(result.WallMs / 1000.0);
                }
                if (result.Status != RunStatus.Ok) break;
            }
        }
        return await store.CompleteRequestAsync(job, Serialize(results), ct);
    }

    async Task<bool> ValidateAsync(ClaimedJob job, CancellationToken ct)
    {
        var record = await store.GetRequestAsync(job.Id, ct);
        ValidationOutcome outcome;
        var parsed = record is null ? null : ProblemLoader.ParseJson(record.PayloadJson);
        if (parsed is null) outcome = ValidationOutcome.Failed("the validation request could not be read");
        else if (!parsed.Ok) outcome = new ValidationOutcome(null, parsed.Errors);
        else outcome = new ValidationOutcome(await validator.ValidateAsync(parsed.Problem! with { Source = CatalogSync.ApiSource }, ct), []);
        return await store.CompleteRequestAsync(job, Serialize(outcome), ct);
    }

    static string Serialize<T>(T value) => JsonSerializer.Serialize(value, JudgeJson.Options);
}

/// <summary>The result of a validation job: the validator's report, or why the document could not be validated.</summary>
public sealed record ValidationOutcome(ValidationReport? Report, IReadOnlyList<ProblemError> ParseErrors)
{
    public static ValidationOutcome Failed(string why) => new(null, [new ProblemError("", why)]);
}
