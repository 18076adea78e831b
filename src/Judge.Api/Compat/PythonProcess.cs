using System.Text;
using Judge.Sandbox;

namespace Judge.Api.Compat;

/// <summary>How a run ended, seen as a <c>python3 script.py</c> process: what Judge0 and Piston report.</summary>
public enum ProcessEnd { Exited, Signaled, TimedOut, OutputLimit, Internal }

/// <summary>
/// A script-mode <see cref="RunResult"/> turned into what a <c>python3</c> process would have shown: an uncaught
/// exception is exit status 1 with its traceback on stderr, <c>sys.exit(n)</c> is exit status n, a syntax error is
/// exit status 1 with Python's report on stderr (CPython compiles when it runs: there is no compile step), a signal
/// is a signal. Judge runs the script in-process, so it supplies what the interpreter would have printed.
/// </summary>
public sealed record PythonProcess(
    ProcessEnd End, int? ExitCode, int? Signal, byte[] Stdout, byte[] Stderr, long CpuMs, long WallMs, long MemoryKb)
{
    public const int SIGKILL = 9;

    /// <summary>For <see cref="ProcessEnd.TimedOut"/>: the wall clock ran out (not the CPU limit).</summary>
    public bool WallClock { get; init; }

    /// <summary>For <see cref="ProcessEnd.OutputLimit"/>: stderr overflowed (stdout did not).</summary>
    public bool StderrOverflow { get; init; }

    /// <summary>For <see cref="ProcessEnd.Internal"/>: what went wrong in Judge.</summary>
    public string? InternalMessage { get; init; }

    /// <param name="r">The run.</param>
    /// <param name="code">The script, for the source line a syntax error report shows.</param>
    public static PythonProcess From(RunResult r, string? code = null)
    {
        var stdout = r.StdoutBytes ?? Encoding.UTF8.GetBytes(r.Stdout);
        var stderr = r.StderrBytes ?? Encoding.UTF8.GetBytes(r.Stderr);
        PythonProcess Make(ProcessEnd end, int? code = null, int? signal = null, string? addToStderr = null) =>
            new(end, code, signal, stdout, addToStderr is null ? stderr : [.. stderr, .. Encoding.UTF8.GetBytes(addToStderr)],
                r.CpuMs, r.WallMs, r.MemoryKb);

        switch (r.Status)
        {
            case RunStatus.Ok:
                return Make(ProcessEnd.Exited, 0);
            case RunStatus.TimeLimitExceeded:
                return Make(ProcessEnd.TimedOut, signal: SIGKILL) with
                {
                    WallClock = r.Error?.Message.StartsWith("wall-clock", StringComparison.Ordinal) == true,
                };
            case RunStatus.OutputLimitExceeded:
                return Make(ProcessEnd.OutputLimit, signal: SIGKILL) with { StderrOverflow = r.StderrTruncated && !r.StdoutTruncated };
            case RunStatus.InternalError:
                return Make(ProcessEnd.Internal) with { InternalMessage = r.Error?.Message ?? "internal error" };
            case RunStatus.CompilationError:
                return Make(ProcessEnd.Exited, 1, addToStderr: SyntaxErrorReport(r.Error, code));
        }
        // Runtime error or memory limit: either the child reported a Python exception, or the host saw it end.
        if (r.Signal is { } signal) return Make(ProcessEnd.Signaled, signal: signal);
        if (r.Error is not { } error) return Make(ProcessEnd.Exited, 1);
        if (error.Type == "NoResult") return Make(ProcessEnd.Exited, r.ExitCode is > 0 ? r.ExitCode : 1);
        if (error.Type == "SystemExit")
        {
            // sys.exit(n): status n (mod 256, as the OS keeps it); sys.exit("text"): the text on stderr, status 1.
            if (long.TryParse(error.Message, out var n)) return Make(ProcessEnd.Exited, (int)(n & 0xff));
            return Make(ProcessEnd.Exited, 1, addToStderr: error.Message + "\n");
        }
        return Make(ProcessEnd.Exited, 1, addToStderr: (error.Traceback is { Length: > 0 } tb ? tb : $"{error.Type}: {error.Message}") + "\n");
    }

    /// <summary>CPython's report of a syntax error: file and line, the line with a caret under the column, the message.</summary>
    static string SyntaxErrorReport(RunError? error, string? code)
    {
        if (error is null) return "SyntaxError: invalid syntax\n";
        var report = new StringBuilder();
        if (error.Line is { } line)
        {
            report.Append($"  File \"{CandidateFile}\", line {line}\n");
            var lines = code?.Split('\n');
            if (lines is not null && line >= 1 && line <= lines.Length)
            {
                var source = lines[line - 1].TrimEnd('\r');
                var trimmed = source.TrimStart();
                report.Append("    ").Append(trimmed.TrimEnd()).Append('\n');
                if (error.Column is > 0 and var column && column - 1 - (source.Length - trimmed.Length) is >= 0 and var caret)
                    report.Append("    ").Append(' ', caret).Append("^\n");
            }
        }
        report.Append($"{error.Type}: {error.Message}\n");
        return report.ToString();
    }

    /// <summary>The name the harness compiles the candidate's code under (tracebacks say it).</summary>
    public const string CandidateFile = "solution.py";
}
