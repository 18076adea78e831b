using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Judge.Sandbox;

namespace Judge.Core.Tests;

/// <summary>A scripted sandbox: answers each request with what the test says, and records every request.</summary>
sealed class FakeSandbox(Func<RunRequest, RunResult> script) : ISandbox
{
    public ConcurrentQueue<RunRequest> Calls { get; } = new();

    /// <summary>Batches asked for (each is then answered test by test through <see cref="RunAsync"/>).</summary>
    public ConcurrentQueue<BatchRequest> Batches { get; } = new();

    /// <summary>Optional per-request delay, to make runs finish out of test order.</summary>
    public Func<RunRequest, TimeSpan>? Delay { get; init; }

    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(request);
        if (Delay?.Invoke(request) is { } d && d > TimeSpan.Zero) await Task.Delay(d, cancellationToken);
        else await Task.Yield();
        return script(request);
    }

    public async Task<IReadOnlyList<RunResult>> RunBatchAsync(BatchRequest request, CancellationToken cancellationToken = default)
    {
        Batches.Enqueue(request);
        var results = new List<RunResult>();
        for (var i = 0; i < request.Tests.Count; i++) results.Add(await RunAsync(request.Single(i), cancellationToken));
        return results;
    }

    public int CallsWith(string code) => Calls.Count(c => c.Code == code);

    public static RunResult Ok(string valueJson, string stdout = "", long wallMs = 5, long cpuMs = 4, long memoryKb = 100) => new()
    {
        Status = RunStatus.Ok, Value = JsonNode.Parse(valueJson), Stdout = stdout, WallMs = wallMs, CpuMs = cpuMs, MemoryKb = memoryKb,
    };

    public static RunResult Raised(string type, params string[] bases) => new()
    {
        Status = RunStatus.RuntimeError,
        Error = new RunError(type, "boom", Line: 3) { Bases = [type, .. bases, "Exception", "BaseException", "object"] },
        WallMs = 3,
    };

    public static RunResult Status(RunStatus status) => new() { Status = status, WallMs = 7 };
}
