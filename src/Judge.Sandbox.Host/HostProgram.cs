using System.Diagnostics;
using System.Globalization;
using Judge.Sandbox.Native;
using Judge.Sandbox.Protocol;
using Python.Runtime;

namespace Judge.Sandbox.Host;

/// <summary>
/// The sandbox host: runs inside bwrap, embeds CPython through pythonnet, warms up once, then forks the zygote (itself
/// minus .NET, see sandbox/harness.py), which clones one child per run as a child of this host. It only sees ids,
/// limits and descriptors it passes on; it reaps the children with wait4 and reports the exit status and rusage it
/// measured itself.
/// </summary>
internal static class HostProgram
{
    public static int Main(string[] args)
    {
        string? control = null, python = null, harness = null, uids = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--control": control = args[i + 1]; break;
                case "--python": python = args[i + 1]; break;
                case "--harness": harness = args[i + 1]; break;
                case "--run-uids": uids = args[i + 1]; break;
            }
        }
        if (control is null || python is null || harness is null || uids?.Split(':') is not [var first, var count])
        {
            Console.Error.WriteLine("usage: Judge.Sandbox.Host --control SOCKET --python LIBPYTHON --harness DIR --run-uids FIRST:COUNT");
            return 2;
        }
        try
        {
            var runUids = Enumerable.Range(int.Parse(first, CultureInfo.InvariantCulture), int.Parse(count, CultureInfo.InvariantCulture));
            new ZygoteHost(control, python, harness, runUids).Run();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"judge sandbox host failed: {e}");
            Console.Error.Flush();
            Libc._exit(70);
        }
        // Under bwrap an embedded CPython can hang in exit; nothing is left to flush.
        Libc._exit(0);
        return 0;
    }
}

internal sealed unsafe class ZygoteHost(string controlPath, string pythonLibrary, string harnessDir, IEnumerable<int> runUids)
{
    sealed class Child
    {
        public required long Id;
        public required int Pid;
        public required long BaseRssKb;
        public required int Uid;
        public required int WallMs;
        public required int TimeMs;
        public required int Tests;
        public required int ProgressFd;
        // The test running now (before the first progress byte: the child's own set-up, held to the same limits).
        public long StartTicks;
        public long StartRunQueueNs;
        public TimeSpan StartCpu;
        public int Started;
        public readonly List<TestMeasure> Finished = [];
        public Timer? Timer;
        public bool TimedOut;

        public void StartClock()
        {
            StartTicks = Stopwatch.GetTimestamp();
            StartRunQueueNs = ProcStats.RunQueueNs(Pid) ?? StartRunQueueNs;
            StartCpu = Libc.ProcessCpuTime(Pid) ?? StartCpu;
        }
    }

    // Progress pipes of the runs in flight (read end -> child), read by the progress thread and, at a child's exit, by
    // the reaper; both under _lock. Closed only by the progress thread, between polls, so no number is reused under it.
    readonly Dictionary<int, Child> _progress = [];
    readonly List<int> _progressToClose = [];
    int _progressWakeRead = -1, _progressWakeWrite = -1;

    // A uid per run in flight: taken when a spare gets its run, given back only once the run's process is reaped.
    readonly Queue<int> _freeUids = new(runUids);

    readonly Dictionary<int, Child> _children = [];
    readonly Dictionary<long, Child> _byId = [];
    readonly Lock _lock = new();
    readonly Lock _sendLock = new();
    readonly SemaphoreSlim _childAdded = new(0);
    readonly SemaphoreSlim _spareWanted = new(0);
    // Children forked ahead of demand, each waiting on its own socket for one run's descriptors.
    readonly Queue<(int Pid, int Fd)> _spares = new();
    readonly HashSet<int> _sparePids = [];
    const int SparesWanted = 2;
    // The zygote: this process minus .NET, forked once after warm-up; it forks every run child (as our child).
    readonly Lock _zygoteLock = new();
    int _zygotePid, _zygoteFd = -1;
    int _controlFd = -1;
    volatile bool _stopping;

    public void Run()
    {
        WarmUp();
        _controlFd = Libc.ConnectUnix(controlPath, Libc.SOCK_SEQPACKET);
        Send(new ControlMessage { Op = ControlMessage.Ready, Pid = Environment.ProcessId, RssKb = ProcStats.RssKb() });

        var reaper = new Thread(ReapLoop) { IsBackground = true, Name = "reaper" };
        reaper.Start();
        var spares = new Thread(SpareLoop) { IsBackground = true, Name = "spares" };
        spares.Start();
        (_progressWakeRead, _progressWakeWrite) = Libc.Pipe();
        Libc.SetNonBlocking(_progressWakeRead);
        Libc.SetNonBlocking(_progressWakeWrite);
        var progress = new Thread(ProgressLoop) { IsBackground = true, Name = "progress" };
        progress.Start();
        _spareWanted.Release(SparesWanted);
        ControlLoop();
    }

    void WarmUp()
    {
        Runtime.PythonDLL = pythonLibrary;
        PythonEngine.PythonHome = "/usr";
        PythonEngine.Initialize();
        // Nobody, not even a child reading /proc, may ptrace or read the host's memory from now on (the zygote
        // and every run child inherit this).
        Libc.prctl(Libc.PR_SET_DUMPABLE, 0, 0, 0, 0);
        // Every page .NET holds is copied into the zygote's page tables, and so into each fork: give back what it can.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using (Py.GIL())
        {
            using var sys = Py.Import("sys");
            using var path = sys.GetAttr("path");
            path.InvokeMethod("insert", new PyInt(0), new PyString(harnessDir)).Dispose();
            using var harness = Py.Import("harness");
            harness.InvokeMethod("warm").Dispose();
            StartZygote(harness);
        }
        PythonEngine.BeginAllowThreads();
    }

    /// <summary>Forks the zygote and waits for the byte that says it is ready to make spares.</summary>
    void StartZygote(PyObject harness)
    {
        var (hostEnd, zygoteEnd) = Libc.SocketPair(Libc.SOCK_SEQPACKET);
        string[] dotnetPaths = [Path.GetDirectoryName(Environment.ProcessPath!)! + "/", AppContext.BaseDirectory];
        using var paths = new PyList(dotnetPaths.Select(p => (PyObject)new PyString(p)).ToArray());
        using (var pid = harness.InvokeMethod("start_zygote", new PyInt(zygoteEnd), paths))
            _zygotePid = pid.As<int>();
        Libc.close(zygoteEnd);
        Span<byte> ready = stackalloc byte[1];
        Span<int> noFds = stackalloc int[1];
        if (Libc.ReceiveWithFds(hostEnd, ready, noFds, out _) != 1)
            throw new InvalidOperationException("the zygote ended during start-up (its error is above)");
        _zygoteFd = hostEnd;
    }

    void ControlLoop()
    {
        var buffer = new byte[65536];
        Span<int> fds = stackalloc int[MaxRunFds + 1];
        while (true)
        {
            int n = Libc.ReceiveWithFds(_controlFd, buffer, fds, out int fdCount);
            if (n <= 0) break; // the pool went away: nothing more to do
            var message = ControlMessage.Parse(buffer.AsSpan(0, n));
            switch (message?.Op)
            {
                case ControlMessage.Run when message.Tests is > 0 and <= MaxTests && fdCount == RunFdCount(message.Tests):
                    StartRun(message, fds[0], fds[1..fdCount].ToArray());
                    break;
                case ControlMessage.Kill:
                    KillRun(message.Id);
                    break;
                case ControlMessage.Ping:
                    Send(Stats(message.Id));
                    break;
                case ControlMessage.Shutdown:
                    _stopping = true;
                    break;
            }
            bool taken = message is { Op: ControlMessage.Run, Tests: > 0 and <= MaxTests } && fdCount == RunFdCount(message.Tests);
            for (int i = 0; i < fdCount && !taken; i++) Libc.close(fds[i]);
            if (_stopping) break;
        }
        lock (_lock)
        {
            foreach (var child in _children.Values) Libc.kill(child.Pid, Libc.SIGKILL);
            foreach (var spare in _spares) Libc.kill(spare.Pid, Libc.SIGKILL);
            Libc.kill(_zygotePid, Libc.SIGKILL);
        }
    }

    /// <summary>Descriptors of one run: the host keeps the progress pipe's read end; its child gets, unread, the request,
    /// the progress pipe's write end, and a result, stdout and stderr pipe per test.</summary>
    static int RunFdCount(int tests) => 1 + 2 + 3 * tests;

    const int MaxTests = 32;
    const int MaxRunFds = 1 + 2 + 3 * MaxTests;

    void StartRun(ControlMessage message, int progressFd, int[] runFds)
    {
        Libc.SetNonBlocking(progressFd);
        bool handedOver = false;
        try
        {
            Child? child = null;
            // A spare can die while it waits (its socket is then closed): take another, a few times at most.
            for (int attempt = 0; child is null && attempt < 3; attempt++)
            {
                var spare = TakeSpare() ?? ForkSpare();
                // The spare writes one byte once its own set-up is done (the rehearsal alone faults in megabytes): its
                // resident size then is the baseline the run's growth is measured from. Usually the byte is waiting.
                if (!WaitUntilReady(spare))
                {
                    Libc.close(spare.Fd);
                    continue;
                }
                long baseRssKb = ProcStats.RssKb(spare.Pid) ?? ProcStats.RssKb();
                // Registered before the hand-over and under the reaper's lock, so even a run that ends at once is reported.
                lock (_lock)
                {
                    if (!_freeUids.TryDequeue(out int uid)) throw new IOException("every run uid of this host is in use");
                    child = Register(message, spare.Pid, baseRssKb, uid, progressFd);
                    try
                    {
                        // The spare gets this run's descriptors and uid; from here on it is the run's child.
                        Libc.SendWithFds(spare.Fd, BitConverter.GetBytes(uid), runFds); // little-endian, as the harness reads it
                    }
                    catch (IOException)
                    {
                        // Its end is closed, so it died while waiting (its pid may already be reused: no kill).
                        Unregister(child, started: false);
                        child = null;
                    }
                    finally { Libc.close(spare.Fd); }
                }
            }
            if (child is null) throw new IOException("no spare child took the run");
            handedOver = true;
            WakeProgress();
            _childAdded.Release();
        }
        catch (Exception e)
        {
            Send(new ControlMessage { Op = ControlMessage.Fail, Id = message.Id, Error = "fork failed: " + e.Message });
        }
        finally
        {
            foreach (int fd in runFds) Libc.close(fd);
            if (!handedOver) Libc.close(progressFd);
        }
    }

    /// <summary>Reads the spare's ready byte, waiting for it if need be; false when the spare died (or hung) first.</summary>
    static bool WaitUntilReady((int Pid, int Fd) spare)
    {
        if (!Libc.WaitReadable(spare.Fd, SpareReadyTimeoutMs))
        {
            Libc.kill(spare.Pid, Libc.SIGKILL); // alive but stuck, so not reaped: its pid is still its own
            return false;
        }
        Span<byte> ready = stackalloc byte[1];
        Span<int> noFds = stackalloc int[1];
        try { return Libc.ReceiveWithFds(spare.Fd, ready, noFds, out _) == 1; }
        catch (IOException) { return false; }
    }

    const int SpareReadyTimeoutMs = 10_000;

    /// <summary>Asks the zygote for one more spare child: its pid and the host's end of its private socket.</summary>
    (int Pid, int Fd) ForkSpare()
    {
        Span<byte> reply = stackalloc byte[4];
        Span<int> fds = stackalloc int[1];
        lock (_zygoteLock)
        {
            Libc.SendAll(_zygoteFd, "s"u8);
            int n = Libc.ReceiveWithFds(_zygoteFd, reply, fds, out int fdCount);
            if (n != 4 || fdCount != 1)
            {
                for (int i = 0; i < fdCount; i++) Libc.close(fds[i]);
                throw new IOException("the zygote did not answer");
            }
            return (System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(reply), fds[0]);
        }
    }

    Child Register(ControlMessage message, int pid, long baseRssKb, int uid, int progressFd)
    {
        lock (_lock)
        {
            var child = new Child
            {
                Id = message.Id, Pid = pid, BaseRssKb = baseRssKb, Uid = uid, WallMs = Math.Max(1, message.WallMs),
                TimeMs = message.TimeMs, Tests = message.Tests, ProgressFd = progressFd,
            };
            child.StartClock();
            _children[pid] = child;
            _byId[message.Id] = child;
            _progress[progressFd] = child;
            child.Timer = new Timer(_ => OnWallLimit(child), null, child.WallMs, Timeout.Infinite);
            return child;
        }
    }

    /// <summary>Forgets a child (reaped, or never started) and frees its uid. A reaped child's progress pipe is closed by
    /// the progress thread (whether or not it still polls it: it stops at the hang-up); a child that never started leaves
    /// it to the caller, who tries another spare with it. Under the lock.</summary>
    void Unregister(Child child, bool started = true)
    {
        _children.Remove(child.Pid);
        _byId.Remove(child.Id);
        child.Timer?.Dispose();
        _freeUids.Enqueue(child.Uid);
        _progress.Remove(child.ProgressFd);
        if (!started) return;
        _progressToClose.Add(child.ProgressFd);
        WakeProgress();
    }

    /// <summary>
    /// The child writes one byte as each test starts. The host closes the test before it (its CPU, wall time and peak
    /// size, measured here, not by the child), kills a child whose finished test used more CPU than its limit, and gives
    /// the new test a fresh wall clock. Bytes beyond the tests asked for are ignored. Under the lock.
    /// </summary>
    void ReadProgress(Child child)
    {
        Span<byte> bytes = stackalloc byte[64];
        while (_children.ContainsKey(child.Pid))
        {
            int n = Libc.ReadSome(child.ProgressFd, bytes);
            if (n <= 0) return;
            for (int i = 0; i < n && child.Started < child.Tests; i++)
            {
                if (child.Started > 0)
                {
                    var measure = MeasureTest(child, Libc.ProcessCpuTime(child.Pid) ?? child.StartCpu, ProcStats.PeakRssKb(child.Pid) ?? 0);
                    child.Finished.Add(measure);
                    if (measure.CpuUs > child.TimeMs * 1000L)
                    {
                        // A time limit whatever happens next: it is the test that ended, and the child with it.
                        child.TimedOut = true;
                        child.Finished.RemoveAt(child.Finished.Count - 1);
                        Libc.kill(child.Pid, Libc.SIGKILL);
                        return;
                    }
                }
                child.Started++;
                child.StartClock();
                child.Timer?.Change(child.WallMs, Timeout.Infinite);
            }
        }
    }

    static TestMeasure MeasureTest(Child child, TimeSpan cpuNow, long peakRssKb) => new(
        (long)(cpuNow - child.StartCpu).TotalMicroseconds,
        (long)Stopwatch.GetElapsedTime(child.StartTicks).TotalMicroseconds,
        peakRssKb);

    void WakeProgress()
    {
        if (_progressWakeWrite >= 0) Libc.WriteSome(_progressWakeWrite, "w"u8);
    }

    /// <summary>Waits for progress bytes of every run in flight (and for changes to that set) and reads them.</summary>
    void ProgressLoop()
    {
        var polled = new List<(int Fd, Child? Child)>();
        var set = new Libc.PollFd[MaxTests + 1];
        Span<byte> drain = stackalloc byte[256];
        while (!_stopping)
        {
            polled.Clear();
            lock (_lock)
            {
                foreach (int fd in _progressToClose) Libc.close(fd);
                _progressToClose.Clear();
                polled.Add((_progressWakeRead, null));
                foreach (var (fd, child) in _progress) polled.Add((fd, child));
            }
            if (set.Length < polled.Count) set = new Libc.PollFd[polled.Count * 2];
            for (int i = 0; i < polled.Count; i++) set[i] = new Libc.PollFd { Fd = polled[i].Fd, Events = Libc.POLLIN };
            if (Libc.Poll(set.AsSpan(0, polled.Count), -1) <= 0) continue;
            if (set[0].REvents != 0) Libc.ReadSome(_progressWakeRead, drain);
            lock (_lock)
            {
                for (int i = 1; i < polled.Count; i++)
                {
                    if (set[i].REvents == 0 || !_progress.TryGetValue(polled[i].Fd, out var child) || child != polled[i].Child) continue;
                    ReadProgress(child);
                    // A closed write end with nothing left to read: stop polling it (it is closed when the child is reaped).
                    if ((set[i].REvents & Libc.POLLHUP) != 0) _progress.Remove(polled[i].Fd);
                }
            }
        }
    }

    (int Pid, int Fd)? TakeSpare()
    {
        lock (_lock)
        {
            if (!_spares.TryDequeue(out var spare)) return null;
            _sparePids.Remove(spare.Pid);
            _spareWanted.Release();
            return spare;
        }
    }

    /// <summary>Keeps <see cref="SparesWanted"/> children forked and waiting, so a run does not wait for fork.</summary>
    void SpareLoop()
    {
        while (!_stopping)
        {
            _spareWanted.Wait();
            if (_stopping) break;
            try
            {
                var spare = ForkSpare();
                lock (_lock)
                {
                    _spares.Enqueue(spare);
                    _sparePids.Add(spare.Pid);
                }
                _childAdded.Release();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"judge sandbox host: could not get a spare: {e.Message}");
                Thread.Sleep(100);
                _spareWanted.Release();
            }
        }
    }

    /// <summary>
    /// The wall-clock limit counts the time a run could have run: time it spent waiting for a CPU while other runs used
    /// them (the kernel's run-queue delay, /proc/PID/schedstat) does not count, so a busy machine does not turn a
    /// correct solution into a time-limit verdict, while sleeping or blocked code is still killed on time. A run that
    /// has used more CPU than its limit is killed when the timer looks (it is a time-limit verdict whatever it does
    /// next), and every run at the latest after <see cref="MaxWallFactor"/> times its wall limit, however busy the machine.
    /// </summary>
    void OnWallLimit(Child child)
    {
        lock (_lock)
        {
            if (!_children.ContainsKey(child.Pid)) return;
            double elapsedMs = Stopwatch.GetElapsedTime(child.StartTicks).TotalMilliseconds;
            double cpuMs = ((Libc.ProcessCpuTime(child.Pid) ?? child.StartCpu) - child.StartCpu).TotalMilliseconds;
            double waitedMs = ((ProcStats.RunQueueNs(child.Pid) ?? child.StartRunQueueNs) - child.StartRunQueueNs) / 1e6;
            double leftMs = child.WallMs - (elapsedMs - waitedMs);
            if (leftMs >= 1 && elapsedMs < child.WallMs * MaxWallFactor && cpuMs <= child.TimeMs)
            {
                // Look again when the wall budget could be spent, or sooner when the CPU budget could be.
                double nextMs = Math.Min(Math.Min(leftMs, child.WallMs * MaxWallFactor - elapsedMs), Math.Max(10, (child.TimeMs - cpuMs) / 2));
                child.Timer?.Change((int)nextMs + 1, Timeout.Infinite);
                return;
            }
            child.TimedOut = true;
            Libc.kill(child.Pid, Libc.SIGKILL);
        }
    }

    const int MaxWallFactor = 4;

    void KillRun(long id)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(id, out var child)) Libc.kill(child.Pid, Libc.SIGKILL);
        }
    }

    void ReapLoop()
    {
        while (true)
        {
            int status;
            Libc.RUsage usage;
            int pid = Libc.wait4(-1, &status, 0, &usage);
            if (pid < 0)
            {
                if (Libc.Errno == Libc.ECHILD) _childAdded.Wait(1000);
                continue;
            }
            if (pid == _zygotePid)
            {
                // Without its zygote the host cannot start runs: end, and the pool starts a new host.
                Console.Error.WriteLine($"judge sandbox host: the zygote ended (wait status {status})");
                Console.Error.Flush();
                Libc._exit(71);
            }
            Child? child;
            long cpuUs;
            lock (_lock)
            {
                if (_sparePids.Remove(pid))
                {
                    // A spare died before it got a run: forget it and fork another.
                    var alive = _spares.Where(s => s.Pid != pid).ToList();
                    foreach (var dead in _spares.Where(s => s.Pid == pid)) Libc.close(dead.Fd);
                    _spares.Clear();
                    foreach (var s in alive) _spares.Enqueue(s);
                    _spareWanted.Release();
                    continue;
                }
                if (!_children.TryGetValue(pid, out child)) continue;
                // Bytes the child wrote just before it ended count: read them before closing its last test.
                ReadProgress(child);
                cpuUs = usage.UTime.Sec * 1_000_000 + usage.UTime.Usec + usage.STime.Sec * 1_000_000 + usage.STime.Usec;
                if (child.Started > child.Finished.Count)
                    child.Finished.Add(MeasureTest(child, TimeSpan.FromMicroseconds(cpuUs), usage.MaxRss));
                Unregister(child);
            }
            Send(new ControlMessage
            {
                Op = ControlMessage.Exit,
                Id = child.Id,
                Status = status,
                CpuUs = cpuUs,
                WallUs = child.Finished.Sum(m => m.WallUs),
                MaxRssKb = usage.MaxRss,
                BaseRssKb = child.BaseRssKb,
                TimedOut = child.TimedOut,
                Measures = child.Finished,
            });
        }
    }

    ControlMessage Stats(long id)
    {
        int children;
        lock (_lock) children = _children.Count; // runs in flight; spares are not counted
        return new ControlMessage
        {
            Op = ControlMessage.Pong, Id = id, Pid = Environment.ProcessId, RssKb = ProcStats.RssKb(),
            Fds = ProcStats.OpenFds(), Threads = ProcStats.Threads(), Children = children, Zombies = ProcStats.Zombies(),
        };
    }

    void Send(ControlMessage message)
    {
        var bytes = message.ToBytes();
        lock (_sendLock)
        {
            try { Libc.SendAll(_controlFd, bytes); }
            catch (IOException) { Libc._exit(0); } // the pool is gone
        }
    }
}

/// <summary>The host's own numbers from /proc, for the pool's health and leak checks.</summary>
internal static class ProcStats
{
    public static long RssKb() => Resident("/proc/self/statm");

    /// <summary>Resident size of another process (a child of this host), or null when it is gone.</summary>
    public static long? RssKb(int pid)
    {
        try { return Resident($"/proc/{pid}/statm"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    static long Resident(string statm) =>
        long.Parse(File.ReadAllText(statm).Split(' ')[1]) * Environment.SystemPageSize / 1024;

    /// <summary>Nanoseconds the process's main thread has waited for a CPU (the second field of /proc/PID/schedstat).</summary>
    public static long? RunQueueNs(int pid)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{pid}/schedstat").Split(' ');
            return fields.Length >= 2 && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var ns) ? ns : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Peak resident size of process <paramref name="pid"/> so far (VmHWM), or null when it is gone.</summary>
    public static long? PeakRssKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    public static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;

    public static int Threads() => Directory.GetDirectories("/proc/self/task").Length;

    /// <summary>Processes in this pid namespace in state Z (children not yet reaped).</summary>
    public static int Zombies()
    {
        int zombies = 0;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int close = stat.LastIndexOf(')');
                if (close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z') zombies++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return zombies;
    }
}
