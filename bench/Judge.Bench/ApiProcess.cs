using System.Collections.Concurrent;
using System.Globalization;
using Judge.Testing;

namespace Judge.Bench;

/// <summary>
/// The real API as a child process (the Release build of src/Judge.Api, started by the tests' <see cref="JudgeProcess"/>)
/// on a free loopback port, with its own data directory, rate limits raised out of the way and an admin key (its
/// process tree: <see cref="ProcTree"/>). A node of a cluster (role api or worker, on PostgreSQL) is the same process
/// with more settings (<see cref="StartNodeAsync"/>).
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    public const string AdminKey = "bench-admin-key";

    readonly JudgeProcess _process;

    public string DataDirectory { get; }
    public int Port => _process.Port;
    public Uri BaseAddress => _process.BaseAddress;
    public int Pid => _process.Pid;
    public bool HasExited => _process.HasExited;
    /// <summary>The pid of every start (the sandbox directories of each are named after it).</summary>
    public IReadOnlyList<int> Pids => _process.Pids;
    public string Name => _process.Name;
    /// <summary>Every process ever seen below the API (pid, start time), for the leftover check after shutdown.</summary>
    public ConcurrentDictionary<int, string> SeenDescendants { get; } = new();

    ApiProcess(string dll, string dataDirectory, string name, int workers, int queueCapacity, IReadOnlyDictionary<string, string>? settings = null)
    {
        DataDirectory = dataDirectory;
        var env = new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = DataDirectory,
            ["Auth__AdminKeys__0"] = AdminKey,
            ["RateLimit__SubmitPermitLimit"] = "1000000",
            ["RateLimit__ReadPermitLimit"] = "1000000",
            ["Queue__Capacity"] = queueCapacity.ToString(CultureInfo.InvariantCulture),
            ["Queue__RetryAfterSeconds"] = "1",
            // The bench is one client: the fair-share caps between clients would measure the cap, not the server.
            ["Queue__MaxPendingRequestsPerClient"] = "100000",
            ["Queue__MaxRunningPerClient"] = "100000",
            ["Limits__WaitSeconds"] = "120",
            ["Logging__LogLevel__Default"] = "Warning",
            // The problem bank is found from the repository root (the dll lives below it).
            ["Problems__Directory"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(dll)!, "../../../../../problems")),
        };
        if (workers > 0) env["Worker__Concurrency"] = workers.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
        _process = new JudgeProcess(dll, env, name, Path.Combine(DataDirectory, "api.log")) { WhileRunning = RecordDescendants };
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
        var api = new ApiProcess(dll, dataDir, "api", workers, queueCapacity);
        await api.StartProcessAsync();
        return api;
    }

    /// <summary>A node of a cluster: <paramref name="settings"/> (environment variables) name its role, storage and the
    /// rest; its log goes to its own folder. Workers take their concurrency from their sandbox pool.</summary>
    public static async Task<ApiProcess> StartNodeAsync(string dll, string name, IReadOnlyDictionary<string, string> settings, int queueCapacity)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"judge-bench-{name}-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDir);
        var node = new ApiProcess(dll, dataDir, name, workers: 0, queueCapacity, settings);
        await node.StartProcessAsync();
        return node;
    }

    /// <summary>Starts (or restarts, on the same data directory and port) the API and waits for /healthz 200.</summary>
    public async Task StartProcessAsync()
    {
        KeepData = true; // until the caller decides otherwise: a start that fails keeps its log
        await _process.StartAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>SIGKILL to the API itself (the fault variant).</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM and wait for a graceful exit (SIGKILL after 30 s); returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (await _process.StopAsync(TimeSpan.FromSeconds(30)) is { } exitCode) return exitCode;
        Console.Error.WriteLine("the API did not stop within 30 s of SIGTERM: killed");
        return _process.ExitCode;
    }

    /// <summary>Keep the data directory (and api.log) after disposal, to look into a failure.</summary>
    public bool KeepData { get; set; }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _process.DisposeAsync();
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
}
