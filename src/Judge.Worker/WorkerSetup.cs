using Judge.Core.Grading;
using Judge.Core.Validation;
using Judge.Sandbox;
using Judge.Sandbox.Pool;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Judge.Worker;

public static class WorkerSetup
{
    /// <summary>Options every node reads (its role and id, the queue's limits) and its metrics.</summary>
    public static IHostApplicationBuilder AddNode(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NodeOptions>().BindConfiguration("Judge").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<QueueOptions>().BindConfiguration("Queue").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<JudgeMetrics>();
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>The worker role: the sandbox pool, the grader and validator, and the loop that takes jobs.</summary>
    public static IHostApplicationBuilder AddWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSandbox();
        builder.Services.AddOptions<WorkerOptions>().BindConfiguration("Worker").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Grader>();
        builder.Services.AddSingleton<ProblemValidator>();
        builder.Services.AddSingleton<JobProcessor>();
        builder.Services.AddHostedService<WorkerService>();
        builder.Services.AddHealthChecks().AddCheck<SandboxHealthCheck>("sandbox", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>Checks that decide readiness (/healthz); liveness (/healthz/live) runs none.</summary>
    public const string ReadyTag = "ready";

    sealed class SandboxHealthCheck(ISandboxStatus sandbox) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(sandbox.IsReady
                ? HealthCheckResult.Healthy("ready")
                : HealthCheckResult.Unhealthy(sandbox.NotReadyReason ?? "sandbox pool is starting"));
    }

    sealed class StorageHealthCheck(Judge.Storage.IJudgeStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.GetSchemaVersionAsync(cancellationToken);
                return HealthCheckResult.Healthy("ready");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("storage is not reachable: " + e.Message);
            }
        }
    }
}
