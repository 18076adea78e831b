using Judge.Worker;
using System.Text.Json;
using System.Text.Json.Nodes;
using Judge.Core;
using Judge.Storage;
using Judge.Core.Grading;
using Judge.Sandbox;

namespace Judge.Api.Submissions;

public sealed record SubmissionRequest(string? ProblemId, string? Code);

/// <summary>GET /v1/submissions/{id}: status queued/running/completed; the result fields once completed.</summary>
public sealed record SubmissionView(
    Guid Id, string ProblemId, SubmissionStatus Status, Verdict? Verdict, int? Passed, int? Total, long? TimeMs, long? MemoryKb,
    IReadOnlyList<TestView>? Tests, string? Takeaway, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt)
{
    public static SubmissionView From(SubmissionRecord s)
    {
        var r = s.ResultJson is null ? null : JsonSerializer.Deserialize<SubmissionResult>(s.ResultJson, JudgeJson.Options);
        return new(s.Id, s.ProblemId, s.Status, r?.Verdict, r?.Passed, r?.Total, r?.TimeMs, r?.MemoryKb, r?.Tests,
            r?.Takeaway, r?.Message, s.CreatedAt, s.CompletedAt);
    }
}
