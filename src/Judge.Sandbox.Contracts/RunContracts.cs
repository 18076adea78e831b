using System.Text.Json.Nodes;

namespace Judge.Sandbox;

/// <summary>How the candidate's module is used: as a module whose test expression is evaluated, or as a script fed stdin.</summary>
public enum RunMode { Function, Script }

/// <summary>Outcome of one sandboxed run, decided by the trusted side from its own measurements.</summary>
public enum RunStatus
{
    Ok,
    RuntimeError,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    CompilationError,
    InternalError,
}

/// <summary>CPU time and memory growth allowed to one run. The wall clock allows <see cref="WallMs"/>.</summary>
public sealed record ResourceLimits(int TimeMs = 1000, int MemoryMb = 64)
{
    public static readonly ResourceLimits Default = new();

    public const int MinTimeMs = 50, MaxTimeMs = 10_000, MinMemoryMb = 16, MaxMemoryMb = 512;

    /// <summary>Wall-clock budget: blocked or sleeping code is killed after twice the CPU budget plus a small slack.</summary>
    public int WallMs => TimeMs * 2 + 200;

    public bool IsWithinBounds =>
        TimeMs is >= MinTimeMs and <= MaxTimeMs && MemoryMb is >= MinMemoryMb and <= MaxMemoryMb;
}

/// <summary>
/// One run: the candidate's module, then either <see cref="Expr"/> (after optional <see cref="Setup"/>) whose value
/// comes back, or (script mode) the module run as <c>__main__</c> with <see cref="Stdin"/>.
/// </summary>
public sealed record RunRequest(string Code)
{
    public string? Setup { get; init; }
    public string? Expr { get; init; }
    public string? Stdin { get; init; }
    public RunMode Mode { get; init; } = RunMode.Function;
    public ResourceLimits Limits { get; init; } = ResourceLimits.Default;
    /// <summary>Command-line arguments: <c>sys.argv[1:]</c>.</summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>This run as a batch of one test.</summary>
    public BatchRequest AsBatch() =>
        new(Code, [new BatchTest(Setup, Expr, Stdin)]) { Mode = Mode, Limits = Limits, Args = Args };
}

/// <summary>One test of a <see cref="BatchRequest"/>: what <see cref="RunRequest"/> says per run.</summary>
public sealed record BatchTest(string? Setup = null, string? Expr = null, string? Stdin = null);

/// <summary>
/// Several tests of one piece of code in one child: each test on a fresh module (the code executed again: fresh globals,
/// classes and closures), with a fresh event loop, random seed and captures, and its own time limit; the memory limit
/// holds for the child. A test that ends abnormally ends the child, and the tests after it run in a fresh one.
/// </summary>
public sealed record BatchRequest(string Code, IReadOnlyList<BatchTest> Tests)
{
    public RunMode Mode { get; init; } = RunMode.Function;
    public ResourceLimits Limits { get; init; } = ResourceLimits.Default;
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>The run of test <paramref name="index"/> alone.</summary>
    public RunRequest Single(int index) => new(Code)
    {
        Setup = Tests[index].Setup, Expr = Tests[index].Expr, Stdin = Tests[index].Stdin, Mode = Mode, Limits = Limits, Args = Args,
    };
}

/// <summary>An exception raised by the candidate's code (or a compilation error), with candidate-only traceback.</summary>
public sealed record RunError(string Type, string Message, int? Line = null, int? Column = null, string? Traceback = null)
{
    /// <summary>The exception's classes in MRO order (builtins by name, others by qualified name), so
    /// "raises: ValueError" can accept a subclass without the trusted side evaluating anything.</summary>
    public IReadOnlyList<string> Bases { get; init; } = [];
}

/// <summary>What came back from one run. <see cref="Value"/> is in the tagged JSON form (see <c>sandbox/README.md</c>).</summary>
public sealed record RunResult
{
    public required RunStatus Status { get; init; }
    public JsonNode? Value { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    public bool StdoutTruncated { get; init; }
    public bool StderrTruncated { get; init; }
    public RunError? Error { get; init; }
    public long CpuMs { get; init; }
    public long WallMs { get; init; }
    public long MemoryKb { get; init; }

    /// <summary>The child's exit status as the host saw it (null when a signal ended it, or it never ran). A Python
    /// exception does not set it: the child reports the exception and exits 0.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal that ended the child, when one did (9 for the wall-clock kill, 24 for the CPU limit).</summary>
    public int? Signal { get; init; }

    /// <summary>The raw bytes of stdout, set only when they are not valid UTF-8 (<see cref="Stdout"/> then holds them
    /// decoded with U+FFFD replacements).</summary>
    public byte[]? StdoutBytes { get; init; }

    /// <summary>As <see cref="StdoutBytes"/>, for stderr.</summary>
    public byte[]? StderrBytes { get; init; }

    public static RunResult Internal(string message, long wallMs = 0) =>
        new() { Status = RunStatus.InternalError, Error = new RunError("InternalError", message), WallMs = wallMs };
}

/// <summary>Runs candidate code in isolation. The production implementation is <c>SandboxPool</c>.</summary>
public interface ISandbox
{
    Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default);

    /// <summary>One result per test, in order. Without a batch-capable sandbox, each test is a run of its own.</summary>
    async Task<IReadOnlyList<RunResult>> RunBatchAsync(BatchRequest request, CancellationToken cancellationToken = default)
    {
        var results = new List<RunResult>(request.Tests.Count);
        for (var i = 0; i < request.Tests.Count; i++) results.Add(await RunAsync(request.Single(i), cancellationToken));
        return results;
    }
}

/// <summary>Whether an <see cref="ISandbox"/> can take runs now, and how many at once.</summary>
public interface ISandboxStatus
{
    /// <summary>Completes once the sandbox can take runs (it never fails: <see cref="NotReadyReason"/> says what is missing).</summary>
    Task Ready { get; }

    bool IsReady { get; }

    /// <summary>Why runs cannot be taken now, or null when they can.</summary>
    string? NotReadyReason { get; }

    /// <summary>Runs the sandbox holds at once.</summary>
    int SlotCount { get; }
}
