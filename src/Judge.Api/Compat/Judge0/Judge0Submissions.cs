using System.Text;
using System.Text.Json;
using Judge.Core;
using Judge.Sandbox;
using Judge.Storage;
using Judge.Worker;

namespace Judge.Api.Compat.Judge0;

/// <summary>
/// The payload of a Judge0 submission's Run job: what the worker runs (<see cref="RunJob"/>'s run, repeat and surface)
/// and, beside it, the Judge0 attributes as given, so that any API node can compute Judge0's view from the payload and
/// the runs. The source code and stdin are kept only once (in the run) unless their bytes are not UTF-8.
/// </summary>
public sealed record Judge0Payload(RunRequest Run, int Repeat, string Surface, Judge0Submission Judge0);

/// <summary>Judge0 submissions in the shared store: requests of kind Run, kept after they complete, read back by token
/// (the request id).</summary>
public static class Judge0Submissions
{
    public static Judge0Payload Payload(Judge0Submission s)
    {
        var run = Judge0Runner.Request(s);
        var attributes = s.Clone();
        // What the run already holds exactly is not stored twice (stdin may be a megabyte).
        if (attributes.SourceCode is { } code && System.Text.Unicode.Utf8.IsValid(code)) attributes.SourceCode = null;
        if (attributes.Stdin is { } stdin && System.Text.Unicode.Utf8.IsValid(stdin)) attributes.Stdin = null;
        return new Judge0Payload(run, Math.Max(1, s.NumberOfRuns), Judge0Api.Surface, attributes);
    }

    /// <summary>The submission as Judge0 shows it, or null when <paramref name="record"/> is not a Judge0 submission.</summary>
    public static Judge0Submission? View(RequestRecord? record)
    {
        if (record is not { Kind: JobKind.Run }) return null;
        Judge0Payload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<Judge0Payload>(record.PayloadJson, JudgeJson.Options);
        }
        catch (JsonException)
        {
            return null; // an ad-hoc run of /v1 or Piston, not a Judge0 submission
        }
        if (payload is not { Surface: Judge0Api.Surface, Judge0: { } s, Run: { } run }) return null;
        s.Token = record.Id;
        s.ClientId = record.ClientId;
        s.CreatedAt = record.CreatedAt;
        s.SourceCode ??= Encoding.UTF8.GetBytes(run.Code);
        s.Stdin ??= run.Stdin is null ? null : Encoding.UTF8.GetBytes(run.Stdin);
        s.StatusId = record.Status == SubmissionStatus.Running ? Judge0Status.Processing : Judge0Status.InQueue;
        if (record is { Status: SubmissionStatus.Completed, ResultJson: { } json })
        {
            s.FinishedAt = record.CompletedAt;
            RunResult[] runs;
            try
            {
                runs = JsonSerializer.Deserialize<RunResult[]>(json, JudgeJson.Options) ?? [];
            }
            catch (JsonException)
            {
                runs = [];
            }
            Judge0Runner.ApplyRuns(s, runs, run.Code);
        }
        return s;
    }

    public static async Task<Judge0Submission?> GetAsync(IJudgeStore store, Guid token, CancellationToken ct) =>
        View(await store.GetRequestAsync(token, ct));
}
