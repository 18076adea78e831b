using Judge.Api.Submissions;
using Judge.Sandbox.Pool;
using Prometheus;

namespace Judge.Api.Health;

/// <summary>Prometheus metrics of one app instance (its own registry, so test hosts do not share counters).</summary>
public sealed class JudgeMetrics
{
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public Counter Submissions { get; }
    public Counter TestRuns { get; }
    public Counter AdHocRuns { get; }
    public Histogram GradingSeconds { get; }
    public Histogram QueueWaitSeconds { get; }
    public Histogram AdHocRunSeconds { get; }
    public Counter CompatRequests { get; }
    public Counter CompatRuns { get; }

    public JudgeMetrics(SubmissionQueue queue, IServiceProvider services)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        var latency = new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) };
        Submissions = factory.CreateCounter("judge_submissions_total", "Graded submissions by verdict.", "verdict");
        TestRuns = factory.CreateCounter("judge_test_runs_total", "Test runs of graded submissions by verdict.", "verdict");
        AdHocRuns = factory.CreateCounter("judge_adhoc_runs_total", "Ad-hoc runs by status.", "status");
        GradingSeconds = factory.CreateHistogram("judge_grading_seconds", "Time to grade one submission.", latency);
        QueueWaitSeconds = factory.CreateHistogram("judge_queue_wait_seconds", "Time a submission waited in the queue.", latency);
        AdHocRunSeconds = factory.CreateHistogram("judge_adhoc_run_seconds", "Wall time of one ad-hoc run.", latency);
        CompatRequests = factory.CreateCounter("judge_compat_requests_total",
            "Requests to the Judge0 and Piston compatibility surfaces by surface, route and status code.", "surface", "route", "code");
        CompatRuns = factory.CreateCounter("judge_compat_runs_total",
            "Sandbox runs made for the compatibility surfaces by surface and run status.", "surface", "status");
        var depth = factory.CreateGauge("judge_queue_depth", "Submissions waiting to be graded.");
        var restarts = factory.CreateGauge("judge_sandbox_host_restarts", "Sandbox hosts replaced after a crash or kill since start.");
        var ready = factory.CreateGauge("judge_sandbox_ready", "1 when the sandbox pool is ready.");
        Registry.AddBeforeCollectCallback(() =>
        {
            depth.Set(queue.Count);
            var pool = services.GetService<SandboxPool>();
            restarts.Set(pool?.HostRestarts ?? 0);
            ready.Set(SandboxReadiness.IsReady(services) ? 1 : 0);
        });
    }

    public static string Label<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
