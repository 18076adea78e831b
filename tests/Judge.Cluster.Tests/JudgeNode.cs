using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Judge.Bench;

namespace Judge.Cluster.Tests;

/// <summary>
/// One Judge.Api process of a cluster (role api or worker) on its own loopback port, its output in a log file. Every
/// process ever seen below it is remembered, so the test can check that none outlives it.
/// </summary>
internal sealed class JudgeNode : IAsyncDisposable
{
    readonly Dictionary<string, string> _environment;
    readonly string _logPath;
    Process? _process;
    StreamWriter? _log;

    public string Name { get; }
    public string Role { get; }
    public int Port { get; }
    public HttpClient Http { get; }
    public int Pid => _process?.Id ?? 0;
    public bool HasExited => _process?.HasExited ?? true;

    /// <summary>(pid, start time) of every process seen below this node, for the leftover check.</summary>
    public ConcurrentDictionary<int, string> SeenDescendants { get; } = new();

    JudgeNode(string name, string role, Dictionary<string, string> environment, string logDirectory)
    {
        Name = name;
        Role = role;
        Port = FreePort();
        _environment = environment;
        _logPath = Path.Combine(logDirectory, $"{name}.log");
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Port}"),
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

    public void StartProcess()
    {
        var dll = ApiDll();
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{Port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment) info.Environment[key] = value;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        _log ??= new StreamWriter(_logPath, append: true) { AutoFlush = true };
        var log = _log;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Name}");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>GET /healthz until 200; returns every status seen on the way (connection refused is not a status).</summary>
    public async Task<List<HttpStatusCode>> WaitHealthyAsync(TimeSpan timeout)
    {
        var seen = new List<HttpStatusCode>();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (HasExited) throw new InvalidOperationException($"{Name} exited with {_process!.ExitCode} while starting:\n{Log()}");
            try
            {
                using var response = await Http.GetAsync("/healthz");
                seen.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    RecordDescendants();
                    return seen;
                }
            }
            catch (HttpRequestException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{Name} was not healthy after {timeout.TotalSeconds} s:\n{Log()}");
    }

    public void RecordDescendants()
    {
        if (HasExited) return;
        foreach (var pid in ProcTree.Descendants(Pid))
            if (ProcTree.ProcStartTime(pid) is { } start) SeenDescendants.TryAdd(pid, start);
    }

    /// <summary>SIGKILL to the node process itself (its sandbox hosts die with it: bwrap --die-with-parent).</summary>
    public async Task KillAsync()
    {
        RecordDescendants();
        _process!.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and a graceful exit (SIGKILL after 30 s); returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is null) return 0;
        if (!_process.HasExited)
        {
            RecordDescendants();
            SysKill(_process.Id, 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                return -1;
            }
        }
        await _process.WaitForExitAsync(); // the output readers are drained
        return _process.ExitCode;
    }

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

    public string Log()
    {
        try
        {
            using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var text = new StreamReader(stream).ReadToEnd();
            return text.Length > 6000 ? text[^6000..] : text;
        }
        catch (IOException) { return "(no log)"; }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _log?.Dispose();
        Http.Dispose();
    }

    /// <summary>The Judge.Api.dll built beside this test assembly's configuration (the project references it).</summary>
    static string ApiDll()
    {
        var baseDir = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(baseDir).Parent!.Name; // bin/<Configuration>/net10.0/
        for (var dir = new DirectoryInfo(baseDir); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Judge.sln")))
                return Path.Combine(dir.FullName, "src", "Judge.Api", "bin", configuration, "net10.0", "Judge.Api.dll");
        return Path.Combine(baseDir, "Judge.Api.dll");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({Role}, pid {Pid}, port {Port})");

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    static extern int SysKill(int pid, int signal);
}
