using Judge.Sandbox;

namespace Judge.Worker;

/// <summary>
/// The payload of a <see cref="Judge.Storage.JobKind.Run"/> job: one run made up to <see cref="Repeat"/> times, stopping
/// after the first run that does not end ok. The job's result is the list of runs made (JSON array of RunResult).
/// <see cref="Surface"/> only labels the runs in metrics (null: /v1/runs). A caller may store more properties beside
/// these (a compatibility surface keeps what it needs to build its view at read time); the worker ignores them.
/// </summary>
public sealed record RunJob(RunRequest Run)
{
    /// <summary>Largest <see cref="Repeat"/> a worker honours (Judge0's number_of_runs allows 20).</summary>
    public const int MaxRepeat = 20;

    public int Repeat { get; init; } = 1;

    public string? Surface { get; init; }
}
