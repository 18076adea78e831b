using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Judge.Sandbox.Native;
using Judge.Sandbox.Protocol;
using Microsoft.Extensions.Logging;

namespace Judge.Sandbox.Pool;

/// <summary>Numbers a host reports about itself (for health and leak checks).</summary>
public sealed record HostStats(int Slot, int Pid, long RssKb, int OpenFds, int Threads, int Children, int Zombies);

/// <summary>
/// One sandbox host process (bwrap + Judge.Sandbox) and its control channel. Runs one request at a time per call to
/// <see cref="ExecuteAsync"/>; many can be in flight. When the process dies every pending run fails with
/// <see cref="HostFailedException"/> so the pool can retry it once elsewhere.
/// </summary>
internal sealed class SandboxHost : IAsyncDisposable
{
    sealed class PendingRun
    {
        public readonly TaskCompletionSource<ControlMessage> Exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    readonly Prerequisites _pre;
    readonly SandboxOptions _options;
    readonly ILogger _logger;
    readonly ConcurrentDictionary<long, PendingRun> _pending = new();
    readonly ConcurrentDictionary<long, TaskCompletionSource<ControlMessage>> _pings = new();
    readonly CancellationTokenSource _life = new();
    readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    Process? _process;
    Socket? _control;
    string? _controlDir;
    int _inFlight;
    volatile bool _stopRequested;
    static long s_nextId;

    readonly LauncherThread _launcher;

    public SandboxHost(int slot, Prerequisites pre, SandboxOptions options, LauncherThread launcher, ILogger logger)
    {
        Slot = slot;
        _launcher = launcher;
        _pre = pre;
        _options = options;
        _logger = logger;
    }

    public int Slot { get; }
    public int InFlight => Volatile.Read(ref _inFlight);
    public bool IsAlive => _control is not null && !_exited.Task.IsCompleted;
    public Task Exited => _exited.Task;
    public int? ProcessId => _process?.Id;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _controlDir = HostLauncher.CreateControlDirectory(Slot);
        var socketPath = Path.Combine(_controlDir, "control.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, (UnixFileMode)0b110_110_110);
        listener.Listen(1);

        _process = await _launcher.StartAsync(HostLauncher.Build(_pre, _options, Slot, _controlDir));
        _process.StandardInput.Close();
        _ = PumpDiagnosticsAsync(_process.StandardError);
        _ = _process.StandardOutput.ReadToEndAsync(CancellationToken.None);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var processExit = _process.WaitForExitAsync(CancellationToken.None);
        var accept = listener.AcceptAsync(timeout.Token).AsTask();
        if (await Task.WhenAny(accept, processExit) != accept)
            throw new SandboxUnavailableException($"sandbox host {Slot} exited during start-up (status {_process.ExitCode}): {_lastDiagnostics}");
        _control = await accept;
        // Only one connection was ever possible; the socket file goes now.
        File.Delete(socketPath);

        var buffer = new byte[4096];
        int n = await _control.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        var ready = ControlMessage.Parse(buffer.AsSpan(0, n));
        if (ready?.Op != ControlMessage.Ready)
            throw new SandboxUnavailableException($"sandbox host {Slot} did not report ready: {_lastDiagnostics}");
        _logger.LogInformation("Sandbox host {Slot} ready: pid {Pid}, RSS {RssKb} KiB", Slot, _process.Id, ready.RssKb);
        _ = ReceiveLoopAsync();
    }

    string _lastDiagnostics = "";

    async Task PumpDiagnosticsAsync(StreamReader stderr)
    {
        try
        {
            string? line;
            while ((line = await stderr.ReadLineAsync()) is not null)
            {
                _lastDiagnostics = line.Length > 2000 ? line[..2000] : line;
                _logger.LogWarning("sandbox host {Slot}: {Line}", Slot, _lastDiagnostics);
            }
        }
        catch (Exception) { }
    }

    async Task ReceiveLoopAsync()
    {
        // An exit message carries one measurement per test: room for the most tests a child runs.
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await _control!.ReceiveAsync(buffer, SocketFlags.None, _life.Token);
                if (n <= 0) break;
                var message = ControlMessage.Parse(buffer.AsSpan(0, n));
                switch (message?.Op)
                {
                    case ControlMessage.Exit or ControlMessage.Fail when _pending.TryRemove(message.Id, out var run):
                        run.Exit.TrySetResult(message);
                        break;
                    case ControlMessage.Pong when _pings.TryRemove(message.Id, out var ping):
                        ping.TrySetResult(message);
                        break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException) { }
        MarkDead("control channel closed");
    }

    void MarkDead(string reason)
    {
        if (!_exited.TrySetResult()) return;
        if (!_stopRequested)
            _logger.LogWarning("Sandbox host {Slot} is gone: {Reason}", Slot, reason);
        foreach (var (id, run) in _pending)
        {
            if (_pending.TryRemove(id, out _)) run.Exit.TrySetException(new HostFailedException(reason));
        }
        foreach (var (id, ping) in _pings)
        {
            if (_pings.TryRemove(id, out _)) ping.TrySetException(new HostFailedException(reason));
        }
        try { _process?.Kill(entireProcessTree: true); } catch (Exception) { }
    }

    public async Task<HostStats> StatsAsync(TimeSpan timeout)
    {
        long id = Interlocked.Increment(ref s_nextId);
        var tcs = new TaskCompletionSource<ControlMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[id] = tcs;
        SendControl(new ControlMessage { Op = ControlMessage.Ping, Id = id });
        try
        {
            var pong = await tcs.Task.WaitAsync(timeout);
            return new HostStats(Slot, pong.Pid, pong.RssKb, pong.Fds, pong.Threads, pong.Children, pong.Zombies);
        }
        finally { _pings.TryRemove(id, out _); }
    }

    /// <summary>Tests one child runs at most (the harness's limit too); more go to the next child.</summary>
    public const int MaxTestsPerChild = 32;

    /// <summary>
    /// Runs tests of <paramref name="request"/> from <paramref name="first"/> on in one fresh child of this host and
    /// returns the results of those it got through, at least one: the tests after a test that ended the child (a time,
    /// memory or output limit, a crash, an exit, an escaping SystemExit, threads left running) are not in the list, and
    /// go to a fresh child. A compilation error is every test's result.
    /// </summary>
    public async Task<IReadOnlyList<RunResult>> ExecuteAsync(BatchRequest request, int first, CancellationToken cancellationToken)
    {
        if (!IsAlive) throw new HostFailedException("host is not running");
        int count = Math.Min(request.Tests.Count - first, MaxTestsPerChild);
        long id = Interlocked.Increment(ref s_nextId);
        var pending = new PendingRun();
        _pending[id] = pending;
        using var pipes = new RunPipes(_options.OutputLimitBytes, count);
        try
        {
            bool overflow = false;
            pipes.PrepareOutput(() =>
            {
                overflow = true;
                TryKill(id);
            });
            // The request goes first: it waits in its pipe, so the child reads it the moment it starts.
            pipes.WriteRequest(RunClassifier.RequestFrame(request, first, count, _options.OutputLimitBytes));
            try
            {
                var message = new ControlMessage
                {
                    Op = ControlMessage.Run, Id = id, WallMs = request.Limits.WallMs, TimeMs = request.Limits.TimeMs, Tests = count,
                };
                SendControl(message, pipes.HandedOver);
            }
            finally
            {
                pipes.CloseHandedOver();
            }

            ControlMessage exit;
            // The host holds each test to its own clock, and lets a test that waits for a CPU run up to 4x its wall limit.
            var allowed = TimeSpan.FromMilliseconds((request.Limits.WallMs * 4L + 100) * (count + 1) + 5000);
            try
            {
                exit = await pending.Exit.Task.WaitAsync(allowed, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The host's own timer should have fired long ago: it is stuck. Replace it.
                MarkDead($"run {id} was not reaped in time");
                throw new HostFailedException("host did not report the run's end");
            }
            catch (OperationCanceledException)
            {
                // The slot (and the child's uid) is free again only once the host has reaped the child.
                TryKill(id);
                try { await pending.Exit.Task.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None); }
                catch (Exception e) when (e is TimeoutException or HostFailedException) { }
                throw;
            }
            if (exit.Op == ControlMessage.Fail)
                return [RunResult.Internal(exit.Error ?? "the sandbox could not start the run")];
            return await CollectAsync(request, first, count, exit, pipes, overflow);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Takes one of this host's run slots (it has a uid for each); false when all are in use.</summary>
    public bool TryReserveSlot()
    {
        int seen;
        while ((seen = Volatile.Read(ref _inFlight)) < _options.RunsPerHost)
        {
            if (Interlocked.CompareExchange(ref _inFlight, seen + 1, seen) == seen) return true;
        }
        return false;
    }

    public void ReleaseSlot() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The results of the tests the child started, each from its own measurements, output and frame; the child
    /// is gone, so every write end is closed and what the pipes hold is all there is.</summary>
    static async Task<IReadOnlyList<RunResult>> CollectAsync(
        BatchRequest request, int first, int count, ControlMessage exit, RunPipes pipes, bool drainedOverflow)
    {
        var measures = exit.Measures ?? [];
        int started = Math.Clamp(measures.Count, 1, count); // a child that died in its own set-up answers for its first test
        var results = new List<RunResult>(started);
        for (int j = 0; j < started; j++)
        {
            bool last = j == started - 1;
            var measure = j < measures.Count ? measures[j] : new TestMeasure(exit.CpuUs, exit.WallUs, exit.MaxRssKb);
            var (stdout, stderr) = await pipes.ReadOutputAsync(j);
            var result = RunClassifier.Classify(request.Single(first + j), new RunClassifier.Measured(
                last ? exit.Status : 0, last && exit.TimedOut, measure.CpuUs, measure.WallUs, measure.PeakRssKb, exit.BaseRssKb,
                stdout.Over || stderr.Over || (last && drainedOverflow),
                Decode(stdout.Bytes), stdout.Over, Decode(stderr.Bytes), stderr.Over, pipes.ReadResult(j))
            {
                StdoutBytes = RawUnlessUtf8(stdout.Bytes), StderrBytes = RawUnlessUtf8(stderr.Bytes),
            });
            results.Add(result);
            if (result.Status == RunStatus.CompilationError)
            {
                // The code does not compile: that is every test's result, whichever child would have run it.
                while (results.Count < request.Tests.Count - first) results.Add(result);
                return results;
            }
            // Output past the limit ends the child (the harness stops after such a test): later tests run afresh.
            if (result.Status == RunStatus.OutputLimitExceeded) break;
        }
        return results;
    }

    static string Decode(byte[] bytes) => bytes.Length == 0 ? "" : Encoding.UTF8.GetString(bytes);

    // Output that is not UTF-8 is kept as bytes too, so a caller can hand it on exactly (base64) or refuse it.
    static byte[]? RawUnlessUtf8(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes) ? null : bytes;

    void TryKill(long id)
    {
        try { SendControl(new ControlMessage { Op = ControlMessage.Kill, Id = id }); }
        catch (Exception) { }
    }

    void SendControl(ControlMessage message, ReadOnlySpan<int> fds = default)
    {
        var socket = _control ?? throw new HostFailedException("host is not connected");
        try
        {
            Libc.SendWithFds((int)socket.Handle, message.ToBytes(), fds);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            MarkDead("control send failed: " + e.Message);
            throw new HostFailedException("host is not reachable");
        }
    }

    /// <summary>Kills the host (tests and the health check use this).</summary>
    public void Kill() => MarkDead("killed");

    public async Task StopAsync(TimeSpan grace)
    {
        _stopRequested = true; // what follows (the channel closing, the process exiting) is expected
        if (IsAlive)
        {
            try { SendControl(new ControlMessage { Op = ControlMessage.Shutdown }); } catch (Exception) { }
        }
        if (_process is not null)
        {
            using var cts = new CancellationTokenSource(grace);
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { }
        }
        await _life.CancelAsync();
        MarkDead("stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(2));
        _control?.Dispose();
        _process?.Dispose();
        try { if (_controlDir is not null) Directory.Delete(_controlDir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The host running a request died or stopped answering; the run may be retried once.</summary>
public sealed class HostFailedException(string message) : Exception(message);
