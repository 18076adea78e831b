using System.Text.Json;
using System.Text.Json.Serialization;

namespace Judge.Sandbox.Protocol;

/// <summary>
/// One datagram on the control channel between the pool and a host (SOCK_SEQPACKET). A "run" carries the progress pipe's
/// read end (the host's) and the child's descriptors (request, progress write end, and per test result, stdout and
/// stderr pipes) as SCM_RIGHTS; the host reads only the progress bytes. Nothing here is
/// candidate data: only ids, limits and the host's own measurements.
/// </summary>
internal sealed record ControlMessage
{
    public required string Op { get; init; }
    public long Id { get; init; }
    public int WallMs { get; init; }
    /// <summary>CPU limit of the run: the host kills a run that has used more (it is a time-limit verdict anyway).</summary>
    public int TimeMs { get; init; }
    /// <summary>Raw wait status of the child (exit code and signal).</summary>
    public int Status { get; init; }
    public long CpuUs { get; init; }
    public long WallUs { get; init; }
    public long MaxRssKb { get; init; }
    public long BaseRssKb { get; init; }
    public bool TimedOut { get; init; }
    public string? Error { get; init; }
    public int Pid { get; init; }
    public long RssKb { get; init; }
    public int Fds { get; init; }
    public int Threads { get; init; }
    public int Children { get; init; }
    public int Zombies { get; init; }
    /// <summary>Run: how many tests the child runs (one result, stdout and stderr pipe each).</summary>
    public int Tests { get; init; }
    /// <summary>Exit: the host's measurements of each test the child started, in order; the last one was running when
    /// the child ended (tests after it did not start).</summary>
    public List<TestMeasure>? Measures { get; init; }

    public const string Run = "run", Kill = "kill", Ping = "ping", Shutdown = "shutdown";
    public const string Ready = "ready", Exit = "exit", Fail = "fail", Pong = "pong";

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, ControlJson.Default.ControlMessage);

    public static ControlMessage? Parse(ReadOnlySpan<byte> bytes)
    {
        try { return JsonSerializer.Deserialize(bytes, ControlJson.Default.ControlMessage); }
        catch (JsonException) { return null; }
    }
}

/// <summary>One test as the host measured it: CPU of the process during the test, wall time (run-queue waits
/// included), and the process's peak resident size by the test's end.</summary>
internal sealed record TestMeasure(long CpuUs, long WallUs, long PeakRssKb);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(ControlMessage))]
internal sealed partial class ControlJson : JsonSerializerContext;
