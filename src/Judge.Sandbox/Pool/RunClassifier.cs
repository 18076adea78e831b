using System.Text.Json;
using System.Text.Json.Nodes;

namespace Judge.Sandbox.Pool;

/// <summary>
/// Turns what the trusted side measured (the host's wait status, rusage and timer; the pool's output counts) and the
/// child's untrusted result frame into a <see cref="RunResult"/>. The frame can only ever describe the value or the
/// exception; success needs a clean exit the host saw and the frame to parse strictly. The child can write any bytes
/// there: a frame that is cut, doubled, not JSON or of the wrong shape is a runtime error ("NoResult"), and an error's
/// fields are cut to the sizes below whatever the child claims.
/// </summary>
internal static class RunClassifier
{
    const int SIGKILL = 9, SIGXCPU = 24;

    /// <summary>Longest error type and base names, message and traceback kept from a frame; at most this many bases.</summary>
    public const int MaxTypeName = 200, MaxMessage = 4000, MaxTraceback = 16_000, MaxBases = 64;

    /// <summary>What the trusted side knows of one test: the wait status it ended with (0 for a test the child went on
    /// from), whether the host's clock ended it, the host's measurements, the pool's output counts, and the frame.</summary>
    /// <param name="Frame">Everything the test's result pipe held: a 4-byte big-endian length, then that many bytes of JSON.</param>
    public sealed record Measured(int Status, bool TimedOut, long CpuUs, long WallUs, long PeakRssKb, long BaseRssKb,
        bool OutputOverflow, string Stdout, bool StdoutTruncated, string Stderr, bool StderrTruncated, byte[]? Frame)
    {
        /// <summary>The raw output bytes, when they are not valid UTF-8.</summary>
        public byte[]? StdoutBytes { get; init; }
        public byte[]? StderrBytes { get; init; }
    }

    public static RunResult Classify(RunRequest request, Measured m)
    {
        int status = m.Status;
        bool exited = (status & 0x7f) == 0;
        int exitCode = (status >> 8) & 0xff;
        int signal = status & 0x7f;
        long cpuMs = m.CpuUs / 1000, wallMs = m.WallUs / 1000;
        long memoryKb = Math.Max(0, m.PeakRssKb - m.BaseRssKb);
        long limitKb = request.Limits.MemoryMb * 1024L;
        // A child killed (or dying without a frame) with its memory at the limit ran out of it.
        bool atMemoryLimit = memoryKb >= limitKb * 9 / 10;
        var outOfMemory = new RunError("MemoryError", "memory limit exceeded");

        RunResult Make(RunStatus s, JsonNode? value = null, RunError? error = null) => new()
        {
            Status = s, Value = value, Error = error, CpuMs = cpuMs, WallMs = wallMs, MemoryKb = memoryKb,
            Stdout = m.Stdout, Stderr = m.Stderr, StdoutTruncated = m.StdoutTruncated, StderrTruncated = m.StderrTruncated,
            ExitCode = exited ? exitCode : null, Signal = exited ? null : signal,
            StdoutBytes = m.StdoutBytes, StderrBytes = m.StderrBytes,
        };

        if (m.OutputOverflow)
            return Make(RunStatus.OutputLimitExceeded, error: new RunError("OutputLimitExceeded", "the program printed more than the output limit"));
        bool cpuOver = cpuMs > request.Limits.TimeMs || (!exited && signal == SIGXCPU);
        if (m.TimedOut || cpuOver)
            return Make(RunStatus.TimeLimitExceeded, error: new RunError("TimeLimitExceeded",
                cpuOver ? $"CPU limit of {request.Limits.TimeMs} ms exceeded" : $"wall-clock limit of {request.Limits.WallMs} ms exceeded"));
        // Memory is counted whole: a run that grew past its limit used too much, however it ended.
        if (memoryKb > limitKb)
            return Make(RunStatus.MemoryLimitExceeded, error: outOfMemory);

        var (frame, malformed) = ReadFrame(m.Frame);
        if (!exited)
        {
            if (signal == SIGKILL && atMemoryLimit)
                return Make(RunStatus.MemoryLimitExceeded, error: outOfMemory);
            return Make(RunStatus.RuntimeError, error: new RunError("Killed", $"the program was killed by signal {SignalName(signal)}"));
        }
        if (frame is null)
        {
            if (exitCode != 0 && atMemoryLimit)
                return Make(RunStatus.MemoryLimitExceeded, error: outOfMemory);
            return Make(RunStatus.RuntimeError, error: new RunError("NoResult", exitCode == 0 && malformed is not null
                ? malformed
                : $"the program exited with status {exitCode} without producing a result"));
        }
        if (exitCode != 0)
            return Make(RunStatus.RuntimeError, error: new RunError("NoResult", $"the program exited with status {exitCode}"));

        switch (frame.Value.Kind)
        {
            case "value":
                return Make(RunStatus.Ok, value: frame.Value.Value);
            case "compile_error":
                return Make(RunStatus.CompilationError, error: frame.Value.Error);
            case "error" when frame.Value.Error is { } error:
                if (error.Type == "MemoryError" || (error.Bases.Contains("OSError") && error.Message.Contains("Cannot allocate memory", StringComparison.Ordinal)))
                    return Make(RunStatus.MemoryLimitExceeded, error: error);
                return Make(RunStatus.RuntimeError, error: error);
            case "internal_error":
                return Make(RunStatus.InternalError, error: new RunError("InternalError", Truncate(frame.Value.Message ?? "sandbox child failed", MaxMessage)));
            default:
                return Make(RunStatus.RuntimeError, error: new RunError("NoResult", "the program produced a malformed result"));
        }
    }

    // Tagged values nest up to three JSON levels per Python level (judge_values caps Python depth at 100).
    static readonly JsonDocumentOptions FrameOptions = new() { MaxDepth = 512 };

    readonly record struct Frame(string Kind, JsonNode? Value, RunError? Error, string? Message);

    /// <summary>The frame out of what the result pipe held, or why there is none (null when the pipe was empty).</summary>
    static (Frame? Frame, string? Malformed) ReadFrame(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0) return (null, null);
        if (bytes.Length < 4) return (null, "the program wrote a truncated result");
        uint length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (length > bytes.Length - 4) return (null, "the program's result did not fit the result channel");
        if (length < bytes.Length - 4) return (null, "the program wrote more than one result");
        return ParseFrame(bytes.AsMemory(4)) is { } frame ? (frame, null) : (null, "the program produced a malformed result");
    }

    /// <summary>Strict parse of the child's frame: exact shapes and types, anything else is "no result".</summary>
    static Frame? ParseFrame(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            if (JsonNode.Parse(bytes.Span, documentOptions: FrameOptions) is not JsonObject obj) return null;
            if (obj["kind"] is not JsonValue kindNode || !kindNode.TryGetValue(out string? kind)) return null;
            RunError? error = obj["error"] is JsonObject e ? ParseError(e) : null;
            if (kind is "error" or "compile_error" && error is null) return null;
            string? message = obj["message"] is JsonValue mv && mv.TryGetValue(out string? s) ? s : null;
            var value = obj["value"];
            value?.Parent?.AsObject().Remove("value");
            return new Frame(kind, value, error, message);
        }
        // Not JSON, nested past MaxDepth, duplicate keys (ArgumentException), invalid UTF-8 in a string.
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException) { return null; }
    }

    static RunError? ParseError(JsonObject e)
    {
        string? Str(string key) => e[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        int? Int(string key) => e[key] is JsonValue v && v.TryGetValue(out int i) ? i : null;
        var type = Str("type");
        if (type is null) return null;
        var bases = e["bases"] is JsonArray arr
            ? arr.Take(MaxBases).Select(b => b is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>()
                .Select(b => Truncate(b, MaxTypeName)).ToList()
            : [];
        return new RunError(Truncate(type, MaxTypeName), Truncate(Str("message") ?? "", MaxMessage), Int("line"), Int("column"),
            Str("traceback") is { } tb ? Truncate(tb, MaxTraceback) : null) { Bases = bases };
    }

    /// <summary>At most <paramref name="max"/> UTF-16 units, never half of a surrogate pair.</summary>
    static string Truncate(string s, int max)
    {
        if (s.Length <= max) return s;
        if (char.IsHighSurrogate(s[max - 1])) max--;
        return s[..max];
    }

    static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL", 6 => "SIGABRT", 7 => "SIGBUS", 8 => "SIGFPE", 9 => "SIGKILL", 11 => "SIGSEGV", 13 => "SIGPIPE",
        15 => "SIGTERM", 24 => "SIGXCPU", 25 => "SIGXFSZ", 31 => "SIGSYS", _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The request frame of one child: <paramref name="count"/> tests of <paramref name="request"/> from
    /// <paramref name="first"/> on (4-byte big-endian length, then UTF-8 JSON).</summary>
    public static byte[] RequestFrame(BatchRequest request, int first, int count, int outputLimit)
    {
        var tests = new JsonArray();
        foreach (var t in request.Tests.Skip(first).Take(count))
            tests.Add(new JsonObject { ["setup"] = t.Setup, ["expr"] = t.Expr, ["stdin"] = t.Stdin });
        var body = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["code"] = request.Code,
            ["tests"] = tests,
            ["mode"] = request.Mode == RunMode.Script ? "script" : "function",
            ["timeMs"] = request.Limits.TimeMs,
            ["memoryMb"] = request.Limits.MemoryMb,
            ["outputLimit"] = outputLimit,
            ["args"] = request.Args is { } args ? new JsonArray([.. args.Select(a => (JsonNode?)JsonValue.Create(a))]) : null,
        });
        var frame = new byte[4 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }
}
