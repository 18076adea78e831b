using Judge.Sandbox;
using Judge.Sandbox.Pool;
using Judge.Storage;
using Prometheus;

namespace Judge.Worker;

/// <summary>Prometheus metrics of one node (its own registry, so test hosts do not share counters), every series
/// labelled with the node's role and id.</summary>
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
    public Counter WebhookDeliveries { get; }

    public JudgeMetrics(IJudgeStore store, IOptions<NodeOptions> node, IServiceProvider services)
    {
        Registry.SetStaticLabels(new Dictionary<string, string>
        {
            ["role"] = Label(node.Value.Role), ["node"] = node.Value.EffectiveNodeId,
        });
        var factory = Metrics.WithCustomRegistry(Registry);
        var latency = new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) };
        Submissions = factory.CreateCounter("judge_submissions_total", "Graded submissions by verdict.", "verdict");
        TestRuns = factory.CreateCounter("judge_test_runs_total", "Test runs of graded submissions by verdict.", "verdict");
        AdHocRuns = factory.CreateCounter("judge_adhoc_runs_total", "Ad-hoc runs by status.", "status");
        GradingSeconds = factory.CreateHistogram("judge_grading_seconds", "Time to grade one submission.", latency);
        QueueWaitSeconds = factory.CreateHistogram("judge_queue_wait_seconds", "Time a job waited in the queue.", latency);
        AdHocRunSeconds = factory.CreateHistogram("judge_adhoc_run_seconds", "Wall time of one ad-hoc run.", latency);
        CompatRequests = factory.CreateCounter("judge_compat_requests_total",
            "Requests to the Judge0 and Piston compatibility surfaces by surface, route and status code.", "surface", "route", "code");
        CompatRuns = factory.CreateCounter("judge_compat_runs_total",
            "Sandbox runs made for the compatibility surfaces by surface and run status.", "surface", "status");
        WebhookDeliveries = factory.CreateCounter("judge_webhook_deliveries_total",
            "Webhook delivery attempts by outcome: delivered, retried, failed (given up) or refused (target not allowed).", "outcome");
        var queued = factory.CreateGauge("judge_queue_depth", "Jobs waiting in the cluster-wide queue.");
        var running = factory.CreateGauge("judge_queue_running", "Jobs claimed by workers and not yet completed, cluster-wide.");
        Registry.AddBeforeCollectCallback(async ct =>
        {
            var counts = await store.GetQueueCountsAsync(ct);
            queued.Set(counts.Queued);
            running.Set(counts.Running);
        });
        if (services.GetService<ISandboxStatus>() is { } sandbox)
        {
            var restarts = factory.CreateGauge("judge_sandbox_host_restarts", "Sandbox hosts replaced after a crash or kill since start.");
            var ready = factory.CreateGauge("judge_sandbox_ready", "1 when the sandbox pool is ready.");
            var slots = factory.CreateGauge("judge_sandbox_slots", "Runs the sandbox pool can hold at once.");
            Registry.AddBeforeCollectCallback(() =>
            {
                restarts.Set(services.GetService<SandboxPool>()?.HostRestarts ?? 0);
                ready.Set(sandbox.IsReady ? 1 : 0);
                slots.Set(sandbox.SlotCount);
            });
        }
    }

    public static string Label<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
