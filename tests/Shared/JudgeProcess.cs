using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Judge.Testing;

/// <summary>
/// The built Judge API as a child process (<c>dotnet Judge.Api.dll --urls http://127.0.0.1:port</c>) on a free loopback
/// port, for tests and benchmarks. Its settings are environment variables (ASPNETCORE_ENVIRONMENT is Production); it is
/// ready when GET /healthz answers 200. Its output is kept (the last lines, and all of it in a log file when one is
/// named) for failure messages. It can be killed (SIGKILL) or stopped (SIGTERM) and started again on the same port;
/// disposal kills whatever still runs, with its process tree. Compiled into the API, web and cluster tests and the
/// bench (linked, like PostgresServer.cs).
/// </summary>
internal sealed class JudgeProcess : IAsyncDisposable
{
    const int KeptLines = 200;
    static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(30);

    readonly string _dll;
    readonly Dictionary<string, string> _environment;
    readonly string? _logFile;
    readonly Queue<string> _output = new();
    readonly List<int> _pids = [];
    StreamWriter? _log;
    Process? _process;

    /// <param name="dll">Judge.Api.dll (<see cref="BuiltDll"/> in the tests).</param>
    /// <param name="environment">Settings, e.g. <c>Storage__DataDirectory</c>, <c>Judge__Role</c>.</param>
    /// <param name="name">How messages name it.</param>
    /// <param name="logFile">A file its output is appended to, over every start.</param>
    public JudgeProcess(string dll, IReadOnlyDictionary<string, string> environment, string name = "Judge.Api", string? logFile = null)
    {
        _dll = dll;
        _environment = new Dictionary<string, string>(environment);
        _logFile = logFile;
        Name = name;
        Port = FreePort();
    }

    public string Name { get; }
    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public int Pid => _process?.Id ?? 0;
    public bool HasExited => _process?.HasExited ?? true;
    public int ExitCode => _process?.ExitCode ?? 0;

    /// <summary>The pid of every start (the sandbox directories of each are named after it).</summary>
    public IReadOnlyList<int> Pids => _pids;

    /// <summary>Called while the process runs: once it is healthy, and just before it is killed or stopped (to look at
    /// its process tree).</summary>
    public Action? WhileRunning { get; init; }

    /// <summary>The repository (the folder of Judge.sln) above the running assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Judge.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Judge.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The Judge.Api.dll built in the configuration of the running assembly (bin/&lt;Configuration&gt;/net10.0/);
    /// the test projects reference src/Judge.Api, so it is built first.</summary>
    public static string BuiltDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        return Path.Combine(RepositoryRoot(), "src", "Judge.Api", "bin", configuration, "net10.0", "Judge.Api.dll");
    }

    /// <summary>Starts the process (again, on the same port, after it was killed or stopped); does not wait for it.</summary>
    public void Start()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException($"{Name} is already running (pid {_process.Id})");
        var info = new ProcessStartInfo("dotnet", [_dll, "--urls", BaseAddress.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in _environment) info.Environment[key] = value;
        if (_logFile is not null) _log ??= new StreamWriter(_logFile, append: true) { AutoFlush = true };

        _process?.Dispose();
        _process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Name}");
        _pids.Add(_process.Id);
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary><see cref="Start"/>, then <see cref="WaitHealthyAsync"/>.</summary>
    public Task<List<HttpStatusCode>> StartAsync(TimeSpan readyWithin)
    {
        Start();
        return WaitHealthyAsync(readyWithin);
    }

    /// <summary>GET /healthz until 200; returns every status seen on the way (a refused connection is not a status).
    /// Throws, with the output, when the process exits first or the time runs out.</summary>
    public async Task<List<HttpStatusCode>> WaitHealthyAsync(TimeSpan timeout)
    {
        if (_process is null) throw new InvalidOperationException($"{Name} was not started");
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var seen = new List<HttpStatusCode>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process is { HasExited: true } exited)
            {
                await exited.WaitForExitAsync(); // its last lines are read
                throw new InvalidOperationException($"{Name} exited with {exited.ExitCode} while starting{Output()}");
            }
            try
            {
                using var response = await http.GetAsync("/healthz");
                seen.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    WhileRunning?.Invoke();
                    return seen;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} was not healthy after {timeout.TotalSeconds} s{Output()}");
    }

    /// <summary>SIGKILL to the process itself, no graceful shutdown (its sandbox hosts die with it: bwrap
    /// --die-with-parent); waits for its exit.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        WhileRunning?.Invoke();
        _process.Kill(entireProcessTree: false);
        await WaitForExitAsync(_process);
    }

    /// <summary>SIGTERM and a graceful exit: its exit code, or null when it had not exited after
    /// <paramref name="grace"/> and was killed with its process tree.</summary>
    public async Task<int?> StopAsync(TimeSpan grace)
    {
        if (_process is null) return 0;
        if (!_process.HasExited)
        {
            WhileRunning?.Invoke();
            _ = SysKill(_process.Id, Sigterm);
            using var cts = new CancellationTokenSource(grace);
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await WaitForExitAsync(_process);
                return null;
            }
        }
        await _process.WaitForExitAsync(); // the output readers are drained
        return _process.ExitCode;
    }

    /// <summary>The last lines it wrote (stdout and stderr), at most <paramref name="maxChars"/>, with the log file's name.</summary>
    public string Output(int maxChars = 6000)
    {
        string text;
        lock (_output) text = string.Join('\n', _output);
        if (text.Length > maxChars) text = text[^maxChars..];
        return (_logFile is null ? "" : $" (output in {_logFile})") + ":\n" + (text.Length == 0 ? "(no output)" : text);
    }

    /// <summary>Kills what still runs, with its process tree; throws when it does not exit.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is { } process)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await WaitForExitAsync(process);
                process.Dispose();
            }
        }
        finally
        {
            lock (_output)
            {
                _log?.Dispose();
                _log = null;
            }
        }
    }

    async Task WaitForExitAsync(Process process)
    {
        using var cts = new CancellationTokenSource(ExitWait);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} (pid {process.Id}) did not exit within {ExitWait.TotalSeconds} s of SIGKILL");
        }
    }

    void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptLines) _output.Dequeue();
            _log?.WriteLine(line);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends <paramref name="signal"/> to any process (kill(2)).</summary>
    public static int Signal(int pid, int signal) => SysKill(pid, signal);

    const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SysKill(int pid, int signal);
}
