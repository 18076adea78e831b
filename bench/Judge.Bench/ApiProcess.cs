using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Judge.Bench;

/// <summary>
/// The real API as a child process (the Release build of src/Judge.Api) on a free loopback port, with its own data
/// directory, rate limits raised out of the way and an admin key (its process tree: <see cref="ProcTree"/>). A node of
/// a cluster (role api or worker, on PostgreSQL) is the same process with more settings (<see cref="StartNodeAsync"/>).
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    public const string AdminKey = "bench-admin-key";

    readonly string _dll;
    readonly IReadOnlyDictionary<string, string> _settings;
    Process? _process;
    StreamWriter? _log;

    public string DataDirectory { get; }
    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public int Pid => _process?.Id ?? 0;
    public bool HasExited => _process?.HasExited ?? true;
    public int Starts { get; private set; }
    /// <summary>The pid of every start (the sandbox directories of each are named after it).</summary>
    public List<int> Pids { get; } = [];
    public string Name { get; }
    /// <summary>Every process ever seen below the API (pid, start time), for the leftover check after shutdown.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<int, string> SeenDescendants { get; } = new();

    ApiProcess(string dll, string dataDirectory, int port, string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        _dll = dll;
        DataDirectory = dataDirectory;
        Port = port;
        Name = name;
        _settings = settings ?? new Dictionary<string, string>();
    }

    /// <summary>The Release build of the API, found from the current directory upwards; null (and a message) when missing.</summary>
    public static string? FindDll()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Judge.Api", "bin", "Release", "net10.0", "Judge.Api.dll");
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "Judge.sln"))) break;
        }
        Console.Error.WriteLine("Judge.Api.dll (Release) not found: build it first with `dotnet build -c Release src/Judge.Api` "
            + "and run the bench from the repository root.");
        return null;
    }

    public static async Task<ApiProcess> StartAsync(string dll, int workers = 2, int queueCapacity = 100_000)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "judge-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDir);
        var api = new ApiProcess(dll, dataDir, FreePort(), "api") { Workers = workers, QueueCapacity = queueCapacity };
        await api.StartProcessAsync();
        return api;
    }

    /// <summary>A node of a cluster: <paramref name="settings"/> (environment variables) name its role, storage and the
    /// rest; its log goes to its own folder. Workers take their concurrency from their sandbox pool.</summary>
    public static async Task<ApiProcess> StartNodeAsync(string dll, string name, IReadOnlyDictionary<string, string> settings, int queueCapacity)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"judge-bench-{name}-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        var node = new ApiProcess(dll, dataDir, FreePort(), name, settings) { Workers = 0, QueueCapacity = queueCapacity };
        await node.StartProcessAsync();
        return node;
    }

    public int Workers { get; private init; }
    public int QueueCapacity { get; private init; }

    /// <summary>Starts (or restarts, on the same data directory and port) the API and waits for /healthz 200.</summary>
    public async Task StartProcessAsync()
    {
        KeepData = true; // until the caller decides otherwise: a start that fails keeps its log
        var psi = new ProcessStartInfo("dotnet", [_dll, "--urls", BaseAddress.ToString().TrimEnd('/')])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        var env = psi.Environment;
        env["Storage__DataDirectory"] = DataDirectory;
        env["Auth__AdminKeys__0"] = AdminKey;
        env["RateLimit__SubmitPermitLimit"] = "1000000";
        env["RateLimit__ReadPermitLimit"] = "1000000";
        env["Queue__Capacity"] = QueueCapacity.ToString(CultureInfo.InvariantCulture);
        env["Queue__RetryAfterSeconds"] = "1";
        // The bench is one client: the fair-share caps between clients would measure the cap, not the server.
        env["Queue__MaxPendingRequestsPerClient"] = "100000";
        env["Queue__MaxRunningPerClient"] = "100000";
        if (Workers > 0) env["Worker__Concurrency"] = Workers.ToString(CultureInfo.InvariantCulture);
        env["Limits__WaitSeconds"] = "120";
        env["Logging__LogLevel__Default"] = "Warning";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The problem bank is found from the repository root (the dll lives below it).
        env["Problems__Directory"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(_dll)!, "../../../../../problems"));
        foreach (var (key, value) in _settings) env[key] = value;

        _log ??= new StreamWriter(Path.Combine(DataDirectory, "api.log"), append: true) { AutoFlush = true };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the API");
        Starts++;
        Pids.Add(_process.Id);
        var p = _process;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (p.HasExited) throw new InvalidOperationException($"{Name} exited with {p.ExitCode} while starting; see {DataDirectory}/api.log");
            try
            {
                using var r = await http.GetAsync("/healthz");
                if (r.StatusCode == HttpStatusCode.OK) { RecordDescendants(); return; }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} did not become healthy in 90 s; see {DataDirectory}/api.log");
    }

    /// <summary>SIGKILL to the API itself (the fault variant).</summary>
    public async Task KillAsync()
    {
        RecordDescendants();
        _process!.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait for a graceful exit (SIGKILL after 30 s); returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is null || _process.HasExited) return _process?.ExitCode ?? 0;
        RecordDescendants();
        Kill(_process.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("the API did not stop within 30 s of SIGTERM: killed");
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        return _process.ExitCode;
    }

    /// <summary>Keep the data directory (and api.log) after disposal, to look into a failure.</summary>
    public bool KeepData { get; set; }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        _log?.Dispose();
        _log = null;
        if (!KeepData && Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }

    // ---- /proc readings ----

    public void RecordDescendants()
    {
        foreach (var pid in ProcTree.Descendants(Pid))
            if (ProcTree.ProcStartTime(pid) is { } start) SeenDescendants.TryAdd(pid, start);
    }

    /// <summary>
    /// Sandbox hosts: the dotnet processes below the API whose parent is a bwrap (a host's forked test runs are
    /// dotnet processes too, children of their host).
    /// </summary>
    public List<int> HostPids() => ProcTree.SandboxHostsBelow(Pid);

    public List<int> BwrapChildren() => [.. ProcTree.Children(Pid).Where(p => ProcTree.Comm(p) == "bwrap")];

    public long ApiRssKb => ProcTree.RssKb(Pid);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SysKill(int pid, int signal);

    public static void Kill(int pid, int signal) => SysKill(pid, signal);

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
