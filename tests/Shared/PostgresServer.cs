using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Judge.Testing;

/// <summary>
/// A throw-away PostgreSQL server for tests and benchmarks: initdb into a temporary folder, pg_ctl start on a free
/// loopback port (and a unix socket in that folder), stop and delete at the end. Uses the distribution's binaries
/// (Debian: /usr/lib/postgresql/N/bin, package postgresql); run as root, it runs them as the postgres user (PostgreSQL
/// refuses to run as root). Compiled into the storage and cluster tests and the bench (linked, like ProcTree.cs).
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    readonly string _bin;
    readonly string? _runAs;

    public string Root { get; }
    public string DataDirectory => Path.Combine(Root, "data");
    public int Port { get; }
    public string LogFile => Path.Combine(Root, "server.log");

    /// <summary>The postmaster's pid while it runs (from postmaster.pid), else null.</summary>
    public int? Pid { get; private set; }

    PostgresServer(string bin, string? runAs, string root, int port)
    {
        _bin = bin;
        _runAs = runAs;
        Root = root;
        Port = port;
    }

    /// <summary>The folder of initdb/pg_ctl (JUDGE_PG_BIN, else the newest /usr/lib/postgresql/N/bin), or null.</summary>
    public static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("JUDGE_PG_BIN") is { Length: > 0 } configured)
            return File.Exists(Path.Combine(configured, "pg_ctl")) ? configured : null;
        if (!Directory.Exists("/usr/lib/postgresql")) return null;
        return Directory.EnumerateDirectories("/usr/lib/postgresql")
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(d => File.Exists(Path.Combine(d.Dir, "pg_ctl")))
            .OrderByDescending(d => d.Version).Select(d => d.Dir).FirstOrDefault();
    }

    /// <summary>
    /// Creates and starts a server. <paramref name="durable"/> false turns fsync off (tests: nothing has to survive a
    /// power cut); true keeps PostgreSQL's defaults (measurements). <paramref name="settings"/> are extra postgresql.conf lines.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(bool durable = false, IEnumerable<string>? settings = null)
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL's server binaries were not found (apt-get install postgresql, or set JUDGE_PG_BIN); scripts/setup.sh installs them");
        var runAs = Environment.UserName == "root" || GetEuid() == 0 ? "postgres" : null;
        var root = Path.Combine(Path.GetTempPath(), "judge-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var server = new PostgresServer(bin, runAs, root, FreePort());
        try
        {
            if (runAs is not null) await RunAsync("chown", ["-R", $"{runAs}:{runAs}", root]);
            await server.RunPgAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"]);
            var conf = new List<string>
            {
                "listen_addresses = '127.0.0.1'",
                $"port = {server.Port}",
                $"unix_socket_directories = '{root}'",
                "max_connections = 200",
                "shared_buffers = 64MB",
                "logging_collector = off",
                "log_min_messages = warning",
            };
            if (!durable) conf.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
            if (settings is not null) conf.AddRange(settings);
            await File.AppendAllLinesAsync(Path.Combine(server.DataDirectory, "postgresql.conf"), conf);
            await server.StartServerAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser, over loopback TCP.</summary>
    public string ConnectionString(string database = "postgres", int maxPoolSize = 20) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Maximum Pool Size={maxPoolSize};Timeout=30";

    /// <summary>Creates an empty database (CREATE DATABASE copies template1: tens of milliseconds).</summary>
    public async Task CreateDatabaseAsync(string name) => await PsqlAsync($"CREATE DATABASE \"{name}\"");

    /// <summary>Runs one SQL command through psql on the unix socket; returns its output (unaligned, tuples only).</summary>
    public Task<string> PsqlAsync(string sql, string database = "postgres") =>
        RunPgAsync("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", Root, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-U", "postgres", "-d", database, "-c", sql]);

    /// <summary>Starts the server (again, after <see cref="StopServerAsync"/>) and waits until it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        await RunPgAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start"]);
        Pid = ReadPid() ?? throw new InvalidOperationException($"PostgreSQL started but wrote no postmaster.pid; see {LogFile}");
    }

    /// <summary>Stops the server (fast shutdown: open connections are closed) and waits until its processes are gone.</summary>
    public async Task StopServerAsync()
    {
        if (Pid is not { } pid) return;
        try { await RunPgAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"]); }
        catch (InvalidOperationException)
        {
            if (IsAlive(pid)) SysKill(pid, 9);
        }
        var sw = Stopwatch.StartNew();
        while (IsAlive(pid) && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        if (IsAlive(pid)) throw new InvalidOperationException($"PostgreSQL (pid {pid}) did not stop");
        Pid = null;
    }

    /// <summary>Processes whose command line names this server's data directory (none once it is stopped).</summary>
    public List<int> Processes()
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains(Root, StringComparison.Ordinal) && !cmdline.StartsWith("psql", StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        // A postmaster's children show "postgres: ..." as their command line: find them by parent.
        if (Pid is { } postmaster)
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
                if (int.TryParse(Path.GetFileName(dir), out var pid) && ParentOf(pid) == postmaster) found.Add(pid);
        return found.Distinct().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopServerAsync(); }
        finally
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    int? ReadPid()
    {
        try { return int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture); }
        catch (IOException) { return null; }
    }

    static bool IsAlive(int pid)
    {
        // A zombie has exited (its parent, init here, reaps it later).
        try { return File.ReadAllText($"/proc/{pid}/stat") is var stat && stat[(stat.LastIndexOf(')') + 2)] != 'Z'; }
        catch (IOException) { return false; }
    }

    static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
    }

    Task<string> RunPgAsync(string tool, IReadOnlyList<string> args)
    {
        var exe = Path.Combine(_bin, tool);
        return _runAs is null ? RunAsync(exe, args) : RunAsync("runuser", ["-u", _runAs, "--", exe, .. args]);
    }

    static async Task<string> RunAsync(string exe, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(exe, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/",
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(exe)} {string.Join(' ', args)} did not finish in 120 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(exe)} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        return (await stdout).Trim();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    static extern uint GetEuid();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    static extern int SysKill(int pid, int signal);
}
