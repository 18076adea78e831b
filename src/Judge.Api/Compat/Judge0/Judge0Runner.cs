using System.Text;
using Judge.Sandbox;

namespace Judge.Api.Compat.Judge0;

/// <summary>One Judge0 submission as Judge runs it: a script run made <c>number_of_runs</c> times by a worker (which stops
/// after the first run that does not end ok), limits mapped onto Judge's, and the outcome in Judge0's terms, computed
/// from the runs whenever the submission is read.</summary>
public static class Judge0Runner
{
    /// <summary>The run a worker makes for <paramref name="s"/>.</summary>
    public static RunRequest Request(Judge0Submission s) => new(Encoding.UTF8.GetString(s.SourceCode ?? []))
    {
        Mode = RunMode.Script,
        Stdin = s.Stdin is null ? null : Encoding.UTF8.GetString(s.Stdin),
        Args = SplitArguments(s.CommandLineArguments),
        Limits = Limits(s),
    };

    /// <summary>The runs' outcome in <paramref name="s"/>: each run applied in turn until one is not Accepted (Judge0
    /// stops there), time and memory averaged over the runs made, as Judge0 reports them.</summary>
    public static void ApplyRuns(Judge0Submission s, IReadOnlyList<RunResult> runs, string code)
    {
        if (runs.Count == 0)
        {
            Apply(s, PythonProcess.From(RunResult.Internal("the worker answered no run"), code));
            return;
        }
        var times = new List<long>();
        var memories = new List<long>();
        foreach (var result in runs)
        {
            Apply(s, PythonProcess.From(result, code));
            if (s.StatusId == Judge0Status.InternalError) break;
            times.Add(result.CpuMs);
            memories.Add(result.MemoryKb);
            if (s.StatusId != Judge0Status.Accepted) break;
        }
        if (times.Count > 0)
        {
            s.Time = Math.Round((decimal)times.Average() / 1000m, 6);
            s.Memory = (int)memories.Average();
        }
    }

    /// <summary>Judge's run limits for a submission: CPU time (0 means none: Judge's largest) capped by the wall-clock
    /// limit, memory in whole MB; both within Judge's bounds. Both times are checked again on what was measured.</summary>
    public static ResourceLimits Limits(Judge0Submission s) => CompatLimits.RunLimits(
        s.CpuTimeLimit == 0 ? ResourceLimits.MaxTimeMs : s.CpuTimeLimit * 1000, s.WallTimeLimit * 1000, s.MemoryLimit / 1024m);

    /// <summary>The outcome of one run in Judge0's attributes (isolate's messages; status decided as Judge0 decides it).</summary>
    public static void Apply(Judge0Submission s, PythonProcess p)
    {
        s.FinishedAt ??= DateTimeOffset.UtcNow;
        s.WallTime = p.WallMs / 1000m;
        s.Memory = (int)p.MemoryKb;
        s.Time = p.CpuMs / 1000m;
        s.ExitCode = 0;
        s.ExitSignal = null;
        s.Message = null;
        s.CompileOutput = null;
        var stdout = p.Stdout;
        var stderr = p.Stderr;
        var (end, wallClock) = CompatLimits.Measured(p, s.WallTimeLimit * 1000, s.CpuTimeLimit * 1000);
        // max_file_size (KB) limits what the program writes to stdout, as isolate's file-size limit does.
        var fileLimit = s.MaxFileSize * 1024L;
        if (end is not ProcessEnd.TimedOut and not ProcessEnd.Internal && stdout.Length > fileLimit)
            (end, stdout) = (ProcessEnd.OutputLimit, stdout[..(int)fileLimit]);
        if (s.RedirectStderrToStdout) (stdout, stderr) = ([.. stdout, .. stderr], []);
        s.Stdout = stdout.Length == 0 ? null : stdout;
        s.Stderr = stderr.Length == 0 ? null : stderr;

        switch (end)
        {
            case ProcessEnd.Exited when p.ExitCode == 0:
                s.StatusId = s.ExpectedOutput is null || StripEqual(s.ExpectedOutput, s.Stdout) ? Judge0Status.Accepted : Judge0Status.WrongAnswer;
                break;
            case ProcessEnd.Exited:
                s.StatusId = Judge0Status.Nzec;
                s.ExitCode = p.ExitCode;
                s.Message = $"Exited with error status {p.ExitCode}";
                break;
            case ProcessEnd.Signaled:
                s.StatusId = Judge0Status.ForSignal(p.Signal!.Value);
                s.ExitSignal = p.Signal;
                s.Message = $"Caught fatal signal {p.Signal}";
                break;
            case ProcessEnd.TimedOut:
                s.StatusId = Judge0Status.TimeLimitExceeded;
                s.Message = wallClock ? "Time limit exceeded (wall clock)" : "Time limit exceeded";
                break;
            case ProcessEnd.OutputLimit:
                // Output beyond the file-size limit: the signal isolate's limit sends.
                s.StatusId = Judge0Status.Sigxfsz;
                s.ExitSignal = 25;
                s.Message = "Caught fatal signal 25";
                break;
            default:
                s.StatusId = Judge0Status.InternalError;
                s.Message = p.InternalMessage;
                s.Time = s.WallTime = null;
                s.Memory = null;
                break;
        }
    }

    /// <summary>Judge0's comparison: each line without trailing whitespace, then the whole without trailing whitespace.</summary>
    public static bool StripEqual(byte[] expected, byte[]? actual) =>
        actual is not null && Strip(expected).AsSpan().SequenceEqual(Strip(actual));

    static byte[] Strip(byte[] text)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != (byte)'\n') continue;
            lines.Add(RStrip(text.AsSpan(start, i - start)).ToArray());
            start = i + 1;
        }
        var joined = new List<byte>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0) joined.Add((byte)'\n');
            joined.AddRange(lines[i]);
        }
        return RStrip(joined.ToArray()).ToArray();
    }

    static ReadOnlySpan<byte> RStrip(ReadOnlySpan<byte> s)
    {
        var end = s.Length;
        while (end > 0 && s[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r' or 0) end--;
        return s[..end];
    }

    /// <summary>
    /// command_line_arguments as Judge0's run script hands them on: the characters it removes ($ &amp; ; &lt; &gt; | `)
    /// dropped, then split into words as bash splits them (blanks separate; quotes group; a backslash escapes).
    /// </summary>
    public static IReadOnlyList<string>? SplitArguments(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var cleaned = new string([.. text.Trim().Where(c => c is not ('$' or '&' or ';' or '<' or '>' or '|' or '`'))]);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < cleaned.Length; i++)
        {
            var c = cleaned[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = '\0';
                else word.Append(c);
            }
            else if (quote == '"')
            {
                if (c == '"') quote = '\0';
                else if (c == '\\' && i + 1 < cleaned.Length && cleaned[i + 1] is '"' or '\\') word.Append(cleaned[++i]);
                else word.Append(c);
            }
            else if (c is ' ' or '\t' or '\n')
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                inWord = true;
                if (c is '\'' or '"') quote = c;
                else if (c == '\\' && i + 1 < cleaned.Length) word.Append(cleaned[++i]);
                else word.Append(c);
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }
}
