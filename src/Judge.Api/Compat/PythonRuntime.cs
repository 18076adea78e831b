using System.Text.RegularExpressions;
using Judge.Api.Health;
using Judge.Sandbox;

namespace Judge.Api.Compat;

/// <summary>
/// The version of the CPython the sandbox embeds, as Judge0's language names and Piston's runtimes report it. The
/// jail has no python3 binary and the API never loads CPython, so the sandbox is asked once (one tiny script run) and
/// the answer kept; until it can answer, the major.minor the pool is built for stands in.
/// </summary>
public sealed partial class PythonRuntime(ISandbox sandbox, IServiceProvider services, ILogger<PythonRuntime> logger)
{
    /// <summary>The script that asks: prints major.minor.micro.</summary>
    public const string ProbeCode = "import sys\nprint('%d.%d.%d' % sys.version_info[:3])\n";

    /// <summary>What the pool requires (libpython3.11); stands in until the probe has answered.</summary>
    public const string Fallback = "3.11";

    readonly SemaphoreSlim _gate = new(1, 1);
    volatile string? _version;

    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        if (_version is { } known) return known;
        if (!SandboxReadiness.IsReady(services)) return Fallback;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_version is { } raced) return raced;
            var result = await sandbox.RunAsync(new RunRequest(ProbeCode) { Mode = RunMode.Script }, cancellationToken);
            var text = result.Stdout.Trim();
            if (result.Status == RunStatus.Ok && Semver().IsMatch(text)) return _version = text;
            logger.LogWarning("The sandbox did not report its Python version ({Status}); using {Fallback}", result.Status, Fallback);
            return Fallback;
        }
        finally
        {
            _gate.Release();
        }
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex Semver();
}
