using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Judge.Bench;
using Judge.Testing;

namespace Judge.Cluster.Tests;

/// <summary>
/// One Judge.Api process of a cluster (role api or worker) on its own loopback port, its output in a log file. Every
/// process ever seen below it is remembered, so the test can check that none outlives it.
/// </summary>
internal sealed class JudgeNode : IAsyncDisposable
{
    readonly JudgeProcess _process;

    public string Name => _process.Name;
    public string Role { get; }
    public int Port => _process.Port;
    public HttpClient Http { get; }
    public int Pid => _process.Pid;
    public bool HasExited => _process.HasExited;

    /// <summary>(pid, start time) of every process seen below this node, for the leftover check.</summary>
    public ConcurrentDictionary<int, string> SeenDescendants { get; } = new();

    JudgeNode(string name, string role, Dictionary<string, string> environment, string logDirectory)
    {
        Role = role;
        _process = new JudgeProcess(JudgeProcess.BuiltDll(), environment, name, Path.Combine(logDirectory, $"{name}.log"))
        {
            WhileRunning = RecordDescendants,
        };
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = _process.BaseAddress,
            Timeout = TimeSpan.FromSeconds(90),
        };
    }

    public static JudgeNode Start(string name, string role, IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        var env = new Dictionary<string, string>(environment)
        {
            ["Judge__Role"] = role,
            ["Judge__NodeId"] = name,
        };
        var node = new JudgeNode(name, role, env, logDirectory);
        node.StartProcess();
        return node;
    }

    /// <summary>Starts the node (again, on the same port); <see cref="WaitHealthyAsync"/> waits for it.</summary>
    public void StartProcess() => _process.Start();

    /// <summary>GET /healthz until 200; returns every status seen on the way (connection refused is not a status).</summary>
    public Task<List<HttpStatusCode>> WaitHealthyAsync(TimeSpan timeout) => _process.WaitHealthyAsync(timeout);

    public void RecordDescendants()
    {
        if (HasExited) return;
        foreach (var pid in ProcTree.Descendants(Pid))
            if (ProcTree.ProcStartTime(pid) is { } start) SeenDescendants.TryAdd(pid, start);
    }

    /// <summary>SIGKILL to the node process itself (its sandbox hosts die with it: bwrap --die-with-parent).</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM and a graceful exit (SIGKILL after 30 s: -1); returns the exit code.</summary>
    public async Task<int> StopAsync() => await _process.StopAsync(TimeSpan.FromSeconds(30)) ?? -1;

    /// <summary>Processes once seen below this node that still run (waits up to 10 s: orphans are reaped lazily here).</summary>
    public async Task<List<string>> LeftoversAsync()
    {
        List<string> Find() => [.. SeenDescendants
            .Where(kv => ProcTree.ProcStartTime(kv.Key) == kv.Value && ProcTree.State(kv.Key) != "Z")
            .Select(kv => $"{kv.Key} {ProcTree.Comm(kv.Key)} (below {Name})")];
        var sw = Stopwatch.StartNew();
        List<string> left;
        while ((left = Find()).Count > 0 && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(200);
        return left;
    }

    /// <summary>The last of its output, for failure messages.</summary>
    public string Log() => _process.Output();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _process.DisposeAsync();
        Http.Dispose();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Role}, pid {Pid}, port {Port})");
}
