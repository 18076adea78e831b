using Judge.Worker;
using System.Text.Json;
using System.Text.Json.Nodes;
using Judge.Core;
using Judge.Storage;
using Judge.Core.Grading;
using Judge.Sandbox;

namespace Judge.Api.Submissions;

/// <param name="CallbackUrl">Optional absolute http(s) URL: when the submission is graded, its view is POSTed there,
/// signed the Standard Webhooks way and retried until delivered (see <see cref="SubmissionView.Webhook"/>).</param>
public sealed record SubmissionRequest(string? ProblemId, string? Code, string? CallbackUrl = null);

/// <summary>The delivery of a submission's webhook: pending (not yet sent, or waiting for a retry), delivered, or
/// failed (given up: a 4xx answer, a refused target, or every attempt failed).</summary>
public sealed record WebhookView(
    WebhookStatus Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt, DateTimeOffset? NextAttemptAt)
{
    public static WebhookView From(WebhookDelivery? d) => d is null
        ? new(WebhookStatus.Pending, 0, null, null, null, null)
        : new(d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.DeliveredAt, d.Status == WebhookStatus.Pending ? d.NextAttemptAt : null);
}

/// <summary>GET /v1/submissions/{id}: status queued/running/completed; the result fields once completed.</summary>
public sealed record SubmissionView(
    Guid Id, string ProblemId, SubmissionStatus Status, Verdict? Verdict, int? Passed, int? Total, long? TimeMs, long? MemoryKb,
    IReadOnlyList<TestView>? Tests, string? Takeaway, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt)
{
    /// <summary>The callback's delivery, when the submission was made with a callbackUrl.</summary>
    public WebhookView? Webhook { get; init; }

    public static SubmissionView From(SubmissionRecord s)
    {
        var r = s.ResultJson is null ? null : JsonSerializer.Deserialize<SubmissionResult>(s.ResultJson, JudgeJson.Options);
        return new(s.Id, s.ProblemId, s.Status, r?.Verdict, r?.Passed, r?.Total, r?.TimeMs, r?.MemoryKb, r?.Tests?.Select(t => t.ForClient()).ToList(), // a stored result may have no tests
            r?.Takeaway, r?.Message, s.CreatedAt, s.CompletedAt);
    }
}
