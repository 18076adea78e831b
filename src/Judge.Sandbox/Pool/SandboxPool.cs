using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Judge.Sandbox.Pool;

/// <summary>
/// Starts, watches and restarts the sandbox hosts, and dispatches runs to the least busy one. A host that dies is
/// replaced at once; its in-flight runs are retried once on another host and otherwise end as internal_error.
/// </summary>
public sealed class SandboxPool : ISandbox, ISandboxStatus, IHostedService, IAsyncDisposable
{
    readonly SandboxOptions _options;
    readonly ILogger _logger;
    readonly SandboxHost?[] _hosts;
    readonly SemaphoreSlim _capacity;
    readonly CancellationTokenSource _stopping = new();
    readonly LauncherThread _launcher = new();
    readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    Prerequisites? _pre;
    Task? _supervisor;
    long _restarts;
    volatile string? _notReadyReason = "starting";

    public SandboxPool(IOptions<SandboxOptions> options, ILogger<SandboxPool>? logger = null)
    {
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _hosts = new SandboxHost?[_options.HostCount(Environment.ProcessorCount)];
        _capacity = new SemaphoreSlim(_options.SlotCount(Environment.ProcessorCount));
    }

    /// <summary>True while at least one host is warm and the machine has what the sandbox needs.</summary>
    public bool IsReady => _notReadyReason is null && _hosts.Any(h => h?.IsAlive == true);

    /// <summary>Why the pool is not ready (missing bwrap, libpython, ...), or null.</summary>
    public string? NotReadyReason => IsReady ? null : _notReadyReason ?? "no sandbox host is running";

    /// <summary>Hosts replaced after a crash or kill since start.</summary>
    public long HostRestarts => Interlocked.Read(ref _restarts);

    public int HostCount => _hosts.Length;

    /// <summary>Runs the pool holds at once (hosts × runs per host).</summary>
    public int SlotCount => _hosts.Length * _options.RunsPerHost;

    /// <summary>Completes when a host is first ready, however long that takes (it never fails: a machine that lacks
    /// something stays not ready, with <see cref="NotReadyReason"/> saying why).</summary>
    public Task Ready => _ready.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            RemoveStaleDirectories();
            _pre = Prerequisites.Find(_options).StageAppFiles();
        }
        catch (SandboxUnavailableException e)
        {
            _notReadyReason = e.Message;
            _firstReady.TrySetException(e);
            _logger.LogError("{Reason}", e.Message);
            return Task.CompletedTask;
        }
        _supervisor = Task.WhenAll(Enumerable.Range(0, _hosts.Length).Select(SuperviseAsync));
        return Task.CompletedTask;
    }

    /// <summary>Deletes control and staging directories left by pools whose process died (kill -9).</summary>
    static void RemoveStaleDirectories()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), "judge-*"))
        {
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length < 3 || parts[0] != "judge" || !int.TryParse(parts[2], out int pid)) continue;
            if (pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")) continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Waits until a host is ready; throws <see cref="SandboxUnavailableException"/> when the machine lacks something.</summary>
    public Task WaitUntilReadyAsync(CancellationToken cancellationToken = default) =>
        _firstReady.Task.WaitAsync(cancellationToken);

    /// <summary>Keeps one host alive in a slot: starts it, waits for it to die, starts the next.</summary>
    async Task SuperviseAsync(int slot)
    {
        int failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var host = new SandboxHost(slot, _pre!, _options, _launcher, _logger);
            try
            {
                await host.StartAsync(_stopping.Token);
                failures = 0;
                _hosts[slot] = host;
                _notReadyReason = null;
                _firstReady.TrySetResult();
                _ready.TrySetResult();
                using var health = new PeriodicTimer(TimeSpan.FromSeconds(5));
                var died = host.Exited;
                while (!died.IsCompleted)
                {
                    var tick = health.WaitForNextTickAsync(_stopping.Token).AsTask();
                    if (await Task.WhenAny(died, tick) == died || _stopping.IsCancellationRequested) break;
                    try { await host.StatsAsync(TimeSpan.FromSeconds(10)); }
                    catch (Exception e) when (e is TimeoutException or HostFailedException)
                    {
                        _logger.LogWarning("Sandbox host {Slot} failed its health check; replacing it", slot);
                        host.Kill();
                    }
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
            catch (Exception e)
            {
                failures++;
                _logger.LogError("Sandbox host {Slot} failed to start: {Error}", slot, e.Message);
                if (failures >= 3 && _hosts.All(h => h?.IsAlive != true))
                {
                    _notReadyReason = e.Message;
                    _firstReady.TrySetException(new SandboxUnavailableException(e.Message));
                }
            }
            _hosts[slot] = null;
            await host.DisposeAsync();
            if (_stopping.IsCancellationRequested) break;
            Interlocked.Increment(ref _restarts);
            if (failures > 0)
            {
                try { await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 << Math.Min(failures, 5))), _stopping.Token); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default) =>
        (await RunBatchAsync(request.AsBatch(), cancellationToken))[0];

    /// <summary>
    /// Runs the tests in as few children as it can: one, unless a test ends its child (then the tests after it continue
    /// in a fresh one, on the same slot). The batch holds one slot of the pool from start to end.
    /// </summary>
    public async Task<IReadOnlyList<RunResult>> RunBatchAsync(BatchRequest request, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<RunResult> All(RunResult r) => [.. Enumerable.Repeat(r, request.Tests.Count)];
        if (request.Tests.Count == 0) return [];
        if (_pre is null) return All(RunResult.Internal(_notReadyReason ?? "the sandbox has not started"));
        if (!request.Limits.IsWithinBounds) return All(RunResult.Internal("limits are outside the allowed range"));
        if (RequestChars(request) * 3 > _options.MaxRequestBytes) return All(RunResult.Internal("the request is larger than the sandbox accepts"));

        await _capacity.WaitAsync(cancellationToken);
        try
        {
            var results = new List<RunResult>(request.Tests.Count);
            int failures = 0;
            while (results.Count < request.Tests.Count)
            {
                var host = await PickHostAsync(cancellationToken);
                if (host is null)
                {
                    results.AddRange(Enumerable.Repeat(RunResult.Internal("no sandbox host became available"), request.Tests.Count - results.Count));
                    break;
                }
                try
                {
                    results.AddRange(await host.ExecuteAsync(request, results.Count, cancellationToken));
                }
                catch (HostFailedException e)
                {
                    // The host died under the child (not the child's doing, as far as anyone can tell): once more elsewhere.
                    if (++failures > 1)
                    {
                        results.AddRange(Enumerable.Repeat(
                            RunResult.Internal("the sandbox host failed during the run: " + e.Message), request.Tests.Count - results.Count));
                        break;
                    }
                    _logger.LogWarning("Retrying a run after its sandbox host failed: {Error}", e.Message);
                }
                finally
                {
                    host.ReleaseSlot();
                }
            }
            return results;
        }
        finally
        {
            _capacity.Release();
        }
    }

    /// <summary>Characters of one child's request at most (× 3 bounds its UTF-8 size without encoding anything).</summary>
    static long RequestChars(BatchRequest request) =>
        request.Code.Length + (request.Args?.Sum(a => (long)a.Length + 4) ?? 0) +
        request.Tests.Take(SandboxHost.MaxTestsPerChild).Sum(t => (long)(t.Setup?.Length ?? 0) + (t.Expr?.Length ?? 0) + (t.Stdin?.Length ?? 0));

    /// <summary>A live host with a free run slot (uid), reserved for the caller, who releases it.</summary>
    async Task<SandboxHost?> PickHostAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var host in _hosts.Where(h => h is { IsAlive: true }).OrderBy(h => h!.InFlight))
            {
                if (host!.TryReserveSlot()) return host;
            }
            // Hosts failed to start and none has since: do not wait for one.
            if (_firstReady.Task.IsFaulted && _notReadyReason is not null) return null;
            // Every live host is full: only while a host is being replaced (the pool's capacity is all hosts' slots).
            await Task.Delay(5, cancellationToken);
        }
        return null;
    }

    /// <summary>Each live host's own numbers (RSS, descriptors, threads, children, zombies).</summary>
    public async Task<IReadOnlyList<HostStats>> GetHostStatsAsync()
    {
        var stats = new List<HostStats>();
        foreach (var host in _hosts)
        {
            if (host is not { IsAlive: true }) continue;
            try { stats.Add(await host.StatsAsync(TimeSpan.FromSeconds(5))); }
            catch (Exception e) when (e is TimeoutException or HostFailedException) { }
        }
        return stats;
    }

    /// <summary>Outside pids of the live hosts' bwrap processes.</summary>
    public IReadOnlyList<int> HostProcessIds => _hosts.Select(h => h?.ProcessId).OfType<int>().ToList();

    /// <summary>Kills one host as a crash would (for tests and fault drills); the pool replaces it.</summary>
    public bool KillHost(int slot)
    {
        var host = _hosts[slot];
        if (host is null) return false;
        host.Kill();
        return true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested) return;
        // Let in-flight runs finish (bounded), then stop the hosts.
        int total = _hosts.Length * _options.RunsPerHost;
        var drainDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_capacity.CurrentCount < total && DateTime.UtcNow < drainDeadline && !cancellationToken.IsCancellationRequested)
            await Task.Delay(20, CancellationToken.None);
        await _stopping.CancelAsync();
        await Task.WhenAll(_hosts.OfType<SandboxHost>().Select(h => h.StopAsync(TimeSpan.FromSeconds(2))));
        if (_supervisor is not null) await _supervisor.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _launcher.Dispose();
        try { if (_pre is not null) Directory.Delete(_pre.AppDirectory, recursive: true); }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
    }
}
