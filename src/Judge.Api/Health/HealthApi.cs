using Judge.Worker;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Judge.Api.Health;

public sealed record HealthView(string Status, IReadOnlyDictionary<string, string> Checks);

internal static class HealthApi
{
    /// <summary>/healthz (ready: storage reachable, and for a worker the sandbox pool ready), /healthz/live (the process
    /// answers) and /metrics, on every node whatever its role.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // Minimal APIs over the standard HealthCheckService (not MapHealthChecks) so the OpenAPI document lists them.
        app.MapGet("/healthz", (HealthCheckService health, CancellationToken ct) => CheckAsync(health, c => c.Tags.Contains(WorkerSetup.ReadyTag), ct))
            .WithTags("Health").AllowAnonymous()
            .WithSummary("200 once this node can do its role (storage reachable; for a worker, the sandbox pool ready), 503 with the failing check before")
            .Produces<HealthView>(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/healthz/live", (HealthCheckService health, CancellationToken ct) => CheckAsync(health, _ => false, ct))
            .WithTags("Health").AllowAnonymous().WithSummary("200 while the process answers (liveness)");
        // Mapped as a minimal API (not MapMetrics) so the OpenAPI document lists it too.
        app.MapGet("/metrics", async (HttpContext http, JudgeMetrics metrics) =>
            {
                http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
            })
            .WithTags("Health").AllowAnonymous().WithSummary("Prometheus metrics of this node (text exposition format)")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return app;
    }

    static async Task<Results<Ok<HealthView>, JsonHttpResult<HealthView>>> CheckAsync(
        HealthCheckService health, Func<HealthCheckRegistration, bool> predicate, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(predicate, ct);
        var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Description ?? e.Value.Status.ToString().ToLowerInvariant());
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(new HealthView("ready", checks))
            : TypedResults.Json(new HealthView("not_ready", checks), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
