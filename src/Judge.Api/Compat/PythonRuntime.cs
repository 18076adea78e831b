using System.Text.RegularExpressions;
using Judge.Sandbox;
using Judge.Storage;
using Judge.Worker;

namespace Judge.Api.Compat;

/// <summary>
/// The version of the CPython the sandbox embeds, as Judge0's language names and Piston's runtimes report it. The
/// jail has no python3 binary and an API node has no sandbox, so a worker is asked (one tiny script run through the
/// shared queue) and the answer kept for the life of the process. Until a worker has answered, the major.minor the
/// pool is built for stands in; one probe is in flight at a time and a failed one is tried again on the next call.
/// </summary>
public sealed partial class PythonRuntime(PendingRequests pending, ILogger<PythonRuntime> logger)
{
    /// <summary>The script that asks: prints major.minor.micro.</summary>
    public const string ProbeCode = "import sys\nprint('%d.%d.%d' % sys.version_info[:3])\n";

    /// <summary>What the pool requires (libpython3.11); stands in until a worker has answered.</summary>
    public const string Fallback = "3.11";

    /// <summary>The fair-share bucket of the probe (not any client's).</summary>
    public const string ProbeClient = "judge:python-version";

    /// <summary>How long a caller waits for the probe before it takes <see cref="Fallback"/> (the probe goes on).</summary>
    static readonly TimeSpan CallerWait = TimeSpan.FromSeconds(15);

    /// <summary>How long the probe itself waits for a worker.</summary>
    static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(60);

    readonly Lock _gate = new();
    volatile string? _version;
    Task<string?>? _probe;

    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        if (_version is { } known) return known;
        Task<string?> probe;
        lock (_gate)
        {
            if (_probe is null || _probe.IsCompleted) _probe = ProbeAsync();
            probe = _probe;
        }
        try
        {
            return await probe.WaitAsync(CallerWait, cancellationToken) ?? Fallback;
        }
        catch (TimeoutException)
        {
            return Fallback;
        }
    }

    async Task<string?> ProbeAsync()
    {
        try
        {
            var run = new RunRequest(ProbeCode) { Mode = RunMode.Script };
            var answer = await pending.AskAsync<RunResult[]>(JobKind.Run, ProbeClient, new RunJob(run), ProbeWait, CancellationToken.None);
            var result = answer.Result is [var first, ..] ? first : null;
            var text = result?.Stdout.Trim() ?? "";
            if (result?.Status == RunStatus.Ok && Semver().IsMatch(text)) return _version = text;
            logger.LogWarning("No worker reported its Python version ({Outcome}, {Status}); using {Fallback} for now",
                answer.Outcome, result?.Status, Fallback);
        }
        catch (Exception e)
        {
            logger.LogWarning("Asking a worker for its Python version failed ({Error}); using {Fallback} for now", e.Message, Fallback);
        }
        return null;
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex Semver();
}
