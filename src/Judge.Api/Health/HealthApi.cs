using Judge.Worker;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Judge.Api.Health;

public sealed record HealthView(string Status, IReadOnlyDictionary<string, string> Checks);

internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Health).WithTags("Health").AllowAnonymous()
            .WithSummary("200 once the sandbox pool is ready, 503 (with the failing check) before")
            .Produces<HealthView>(StatusCodes.Status503ServiceUnavailable);
        // Mapped as a minimal API (not MapMetrics) so the OpenAPI document lists it too.
        app.MapGet("/metrics", async (HttpContext http, JudgeMetrics metrics) =>
            {
                http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
            })
            .WithTags("Health").AllowAnonymous().WithSummary("Prometheus metrics (text exposition format)")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return app;
    }

    static Results<Ok<HealthView>, JsonHttpResult<HealthView>> Health(IServiceProvider services)
    {
        var reason = SandboxReadiness.Reason(services);
        return reason is null
            ? TypedResults.Ok(new HealthView("ready", new Dictionary<string, string> { ["sandbox"] = "ready" }))
            : TypedResults.Json(new HealthView("not_ready", new Dictionary<string, string> { ["sandbox"] = reason }),
                statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
