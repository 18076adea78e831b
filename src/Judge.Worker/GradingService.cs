using Judge.Core;
using System.Text.Json;
using Judge.Storage;
using Judge.Core.Grading;
using Judge.Core.Problems;

namespace Judge.Worker;

/// <summary>Grades queued submissions with N workers. On start, re-enqueues whatever a crash left queued or running.</summary>
public sealed class GradingService(
    SubmissionQueue queue, JudgeStore store, ProblemCatalog catalog, Grader grader, JudgeMetrics metrics,
    IServiceProvider services, IOptions<QueueOptions> options, ILogger<GradingService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var recovered = store.RequeueInterrupted();
        foreach (var submission in recovered) queue.EnqueueRecovered(submission.ClientId, submission.Id);
        if (recovered.Count > 0) logger.LogInformation("Re-enqueued {Count} submissions accepted before the last stop", recovered.Count);
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Workers).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));

    async Task WorkAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var id = await queue.DequeueAsync(ct);
                // A pool that is still warming up would turn every test into an internal error: wait for it instead.
                while (!SandboxReadiness.IsReady(services)) await Task.Delay(100, ct);
                try
                {
                    await GradeAsync(id, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Storage trouble must not take the worker down; the submission stays queued/running until the next start.
                    logger.LogError(e, "Submission {SubmissionId} could not be processed", id);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: anything mid-grade stays "running" and is graded again after the restart.
        }
    }

    async Task GradeAsync(Guid id, CancellationToken ct)
    {
        var submission = store.Get(id);
        if (submission is null || submission.Status == SubmissionStatus.Completed) return;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["SubmissionId"] = id, ["ProblemId"] = submission.ProblemId });
        metrics.QueueWaitSeconds.Observe(Math.Max(0, (DateTimeOffset.UtcNow - submission.CreatedAt).TotalSeconds));
        store.MarkRunning(id);

        SubmissionResult result;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!catalog.TryGet(submission.ProblemId, out var problem))
            result = SubmissionResult.Internal($"Problem '{submission.ProblemId}' no longer exists.");
        else
        {
            try
            {
                var grade = await grader.GradeAsync(problem, submission.Code, ct);
                result = SubmissionResult.From(grade, problem.Takeaway);
                foreach (var test in grade.Tests) metrics.TestRuns.WithLabels(JudgeMetrics.Label(test.Verdict)).Inc();
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogError(e, "Grading failed");
                result = SubmissionResult.Internal("Grading failed; the error was logged.");
            }
        }
        metrics.GradingSeconds.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        metrics.Submissions.WithLabels(JudgeMetrics.Label(result.Verdict)).Inc();
        store.Complete(id, JsonSerializer.Serialize(result, JudgeJson.Options));
        queue.NotifyCompleted(id);
        logger.LogInformation("Submission graded: {Verdict} {Passed}/{Total}", result.Verdict, result.Passed, result.Total);
    }
}

public static class SubmissionsSetup
{
    public static IHostApplicationBuilder AddSubmissions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<QueueOptions>().BindConfiguration("Queue").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SubmissionQueue>();
        builder.Services.AddSingleton<JudgeMetrics>();
        builder.Services.AddHostedService<GradingService>();
        return builder;
    }
}
