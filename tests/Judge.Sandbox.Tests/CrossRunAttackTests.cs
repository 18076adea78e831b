using System.Globalization;
using System.Text.Json.Nodes;
using Judge.Bench;
using Judge.Sandbox.Pool;
using Microsoft.Extensions.Options;

namespace Judge.Sandbox.Tests;

/// <summary>How a process is scheduled: policy, nice, CPUs, I/O priority.</summary>
public sealed record Scheduling(int Policy, int Nice, string Cpus, string IoPriority);

/// <summary>One host with room for several runs at once, so an attack and innocent runs share a host, a zygote and a
/// pid namespace.</summary>
public sealed class SharedHostPoolFixture : IAsyncLifetime
{
    public SandboxPool Pool { get; } = new(Options.Create(new SandboxOptions { Hosts = 1, RunsPerHost = 6 }));

    /// <summary>What a run sees of its own scheduling before any attack.</summary>
    public JsonNode? BaselineInside { get; private set; }

    /// <summary>Every thread of bwrap's init, the host and the zygote, before any attack.</summary>
    public IReadOnlyDictionary<string, Scheduling> BaselineOutside { get; private set; } = new Dictionary<string, Scheduling>();

    public async Task InitializeAsync()
    {
        await Pool.StartAsync(CancellationToken.None);
        await Pool.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(60));
        BaselineInside = await SchedulingInside();
        BaselineOutside = SchedulingOutside();
    }

    public async Task DisposeAsync() => await Pool.DisposeAsync();

    const string Probe = """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def scheduling():
            return {'policy': os.sched_getscheduler(0), 'nice': os.getpriority(os.PRIO_PROCESS, 0),
                    'cpus': sorted(os.sched_getaffinity(0)), 'ioprio': libc.syscall(252, 1, 0)}
        """;

    public async Task<JsonNode> SchedulingInside()
    {
        var r = await Pool.RunAsync(new RunRequest(Probe) { Expr = "scheduling()" });
        r.Status.Should().Be(RunStatus.Ok, r.Error?.Message);
        return r.Value!;
    }

    /// <summary>The processes of the host's jail that outlive runs: bwrap's init, the host, the zygote (every thread).</summary>
    public Dictionary<string, Scheduling> SchedulingOutside()
    {
        int host = ProcTree.SandboxHostsBelow(Pool.HostProcessIds.Single()).Single();
        int init = ProcTree.PPid(host) ?? throw new InvalidOperationException("the host has no parent");
        int zygote = ProcTree.Zygote(host) ?? throw new InvalidOperationException("no zygote");
        var tasks = new List<(string Name, int Tid)>();
        foreach (var (name, pid) in new[] { ("init", init), ("host", host), ("zygote", zygote) })
            tasks.AddRange(Directory.EnumerateDirectories($"/proc/{pid}/task").Select(d => ($"{name}/{(Path.GetFileName(d) == pid.ToString(CultureInfo.InvariantCulture) ? "main" : "thread")}", int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture))));
        var io = IoPriorities(tasks.Select(t => t.Tid).ToList());
        var result = new Dictionary<string, Scheduling>();
        foreach (var ((name, tid), ioPriority) in tasks.Zip(io))
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{tid}/stat"); }
            catch (IOException) { continue; } // a thread of the host's pool that ended meanwhile
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            string cpus = File.ReadLines($"/proc/{tid}/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();
            var scheduling = new Scheduling(int.Parse(fields[38], CultureInfo.InvariantCulture), int.Parse(fields[16], CultureInfo.InvariantCulture), cpus, ioPriority);
            // Threads of one process are summed up by their distinct settings: a changed one shows as a second entry.
            result.TryAdd($"{name} {scheduling}", scheduling);
        }
        return result;
    }

    static List<string> IoPriorities(List<int> tids) =>
        tids.Select(tid => IoPrioGet(IoprioWhoProcess, tid) is var v and >= 0 ? $"class {v >> 13} data {v & 0x1fff}" : "gone").ToList();

    const long SysIoprioGet = 252, IoprioWhoProcess = 1;

    static long IoPrioGet(long which, long who) => syscall(SysIoprioGet, which, who);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern long syscall(long number, long a, long b);
}

[CollectionDefinition(Name)]
public sealed class SharedHostPoolCollection : ICollectionFixture<SharedHostPoolFixture>
{
    public const string Name = "one sandbox host, six runs at once";
}

/// <summary>
/// Runs attacking each other and the host through every path the kernel offers between processes of one uid, each
/// beside four innocent runs on the same host. Each asserts the attack's own status, that the innocent runs finish
/// ok with their values, that the host was not restarted, and that nothing of the jail that outlives a run (init,
/// host, zygote) nor a later run is scheduled differently.
/// </summary>
[Collection(SharedHostPoolCollection.Name)]
public sealed class CrossRunAttackTests(SharedHostPoolFixture fx)
{
    const int Innocents = 4;

    /// <summary>An attack: Python defining attack(), which waits for the innocent runs, attacks and returns
    /// report(...) (the attempts not refused with EPERM), or is killed by one of <see cref="KilledBy"/>.</summary>
    public sealed record CrossRunAttack(string Name, string Code, params string[] KilledBy)
    {
        public override string ToString() => Name;
    }

    const string SigInfo = """
        def siginfo():
            info = ctypes.create_string_buffer(128)
            struct.pack_into('iii', info, 0, SIGKILL, 0, -1)  # si_signo, si_errno, si_code = SI_QUEUE
            return info

        """;

    const string CpuClock = """
        def cpu_clock(pid, thread=False):
            # CPU clocks of another process or thread are negative clock ids: ~pid << 3 | CPUCLOCK_SCHED (| thread).
            return ((~pid) << 3 | (6 if thread else 2)) & 0xFFFFFFFF

        """;

    public static readonly TheoryData<CrossRunAttack> Attacks =
    [
        // Signals, by every path that names another process.
        new("kill SIGKILL to the host, bwrap's init and every other pid", """
            def attack():
                innocents = wait_for_innocents(4)
                return report([('kill %x' % t, call('kill', t, SIGKILL)) for t in everyone_else()], innocents)
            """),
        new("kill SIGKILL to its process group, other groups and everyone (-1)", """
            def attack():
                innocents = wait_for_innocents(4)
                attempts = [('kill %x' % g, call('kill', g, SIGKILL)) for g in groups()]
                import signal
                for g in (0, os.getpgrp()):
                    try:
                        os.killpg(g, signal.SIGKILL)
                        attempts.append(('killpg %d' % g, 0))
                    except PermissionError:
                        attempts.append(('killpg %d' % g, -errno.EPERM))
                return report(attempts, innocents)
            """),
        new("tkill SIGKILL to every thread of every other process", """
            def attack():
                innocents = wait_for_innocents(4)
                tids = variants(sorted(set([os.getppid(), 1] + threads_of_others())))
                attempts = [('tkill %x' % t, call('tkill', t, SIGKILL)) for t in tids]
                attempts += [('tkill %x' % g, call('tkill', g, SIGKILL)) for g in groups()]
                return report(attempts, innocents)
            """),
        new("tgkill SIGKILL to every thread group", """
            def attack():
                innocents = wait_for_innocents(4)
                attempts = []
                for pid in [os.getppid(), 1] + others():
                    try:
                        tids = [int(t) for t in os.listdir('/proc/%d/task' % pid)]
                    except OSError:
                        tids = [pid]
                    for tgid in variants([pid]):
                        attempts += [('tgkill %x %d' % (tgid, tid), call('tgkill', tgid, tid, SIGKILL)) for tid in tids]
                attempts += [('tgkill %x' % g, call('tgkill', g, g, SIGKILL)) for g in groups()]
                return report(attempts, innocents)
            """),
        new("rt_sigqueueinfo SIGKILL to every other pid and group", SigInfo + """
            def attack():
                innocents = wait_for_innocents(4)
                info = siginfo()
                return report([('rt_sigqueueinfo %x' % t, call('rt_sigqueueinfo', t, SIGKILL, info))
                               for t in everyone_else() + groups()], innocents)
            """),
        new("rt_tgsigqueueinfo SIGKILL to every other thread", SigInfo + """
            def attack():
                innocents = wait_for_innocents(4)
                info = siginfo()
                attempts = []
                for pid in [os.getppid(), 1] + others():
                    for tgid in variants([pid]):
                        attempts.append(('rt_tgsigqueueinfo %x' % tgid, call('rt_tgsigqueueinfo', tgid, pid, SIGKILL, info)))
                attempts += [('rt_tgsigqueueinfo %x' % g, call('rt_tgsigqueueinfo', g, g, SIGKILL, info)) for g in groups()]
                return report(attempts, innocents)
            """),
        new("x32 kill of the host", """
            def attack():
                wait_for_innocents(4)
                return call(0x40000000 | 62, os.getppid(), SIGKILL)
            """, "SIGSYS"),
        // SIGSYS where the kernel has an i386 entry (seccomp sees AUDIT_ARCH_I386); SIGSEGV where it has none
        // (SeccompPolicyTests tells which applies here).
        new("i386 int 0x80 kill of the host", RawSyscalls.Int80 + """
            def attack():
                wait_for_innocents(4)
                return int80_kill(os.getppid())
            """, "SIGSYS", "SIGSEGV"),

        // SIGIO/SIGURG ownership: the kernel signals any process of the same uid that a descriptor names as owner.
        new("fcntl F_SETOWN + F_SETSIG(SIGKILL) + O_ASYNC on a pipe, then writes", """
            def attack():
                innocents = wait_for_innocents(4)
                r, w = os.pipe()
                attempts = []
                for fd in (r, w):
                    for h in (0,) + HIGH:
                        attempts += [('F_SETOWN %x' % t, call('fcntl', fd, 8 | h, t)) for t in everyone_else() + groups()]
                        attempts.append(('F_SETSIG', call('fcntl', fd, 10 | h, SIGKILL)))
                        attempts.append(('F_SETFL O_ASYNC', call('fcntl', fd, 4 | h, os.O_NONBLOCK | 0x2000)))
                    if call('fcntl', fd, 3) & 0x2000:
                        attempts.append(('O_ASYNC is set', 0))
                for _ in range(3):
                    os.write(w, b'x' * 512)
                    os.read(r, 512)
                return report(attempts, innocents)
            """),
        new("fcntl F_SETOWN_EX (thread, process, group) + O_ASYNC on a pipe, then writes", """
            def attack():
                innocents = wait_for_innocents(4)
                r, w = os.pipe()
                attempts = []
                for fd in (r, w):
                    for kind in (0, 1, 2):  # F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP
                        for t in [os.getppid(), 1, os.getpgrp()] + others() + threads_of_others():
                            owner = ctypes.create_string_buffer(struct.pack('ii', kind, t))
                            attempts += [('F_SETOWN_EX %d %d' % (kind, t), call('fcntl', fd, 15 | h, owner)) for h in (0,) + HIGH]
                    attempts.append(('F_SETFL O_ASYNC', call('fcntl', fd, 4, 0x2000)))
                for _ in range(3):
                    os.write(w, b'x' * 512)
                    os.read(r, 512)
                return report(attempts, innocents)
            """),
        new("ioctl FIOSETOWN, SIOCSPGRP, TIOCSPGRP and FIOASYNC on pipes and its stdio, then writes", """
            def attack():
                innocents = wait_for_innocents(4)
                r, w = os.pipe()
                attempts = []
                owners = [os.getppid(), 1, os.getpgrp(), -os.getpgrp()] + others()
                for fd in (r, w, 0, 1, 2):
                    for h in (0,) + HIGH:
                        for request in (0x8901, 0x8902, 0x5410):
                            attempts += [('ioctl %x %d' % (request, t), call('ioctl', fd, request | h, ctypes.byref(ctypes.c_int(t))))
                                         for t in owners]
                        attempts.append(('FIOASYNC %d' % fd, call('ioctl', fd, 0x5452 | h, ctypes.byref(ctypes.c_int(1)))))
                os.write(w, b'x' * 512)
                os.read(r, 512)
                return report(attempts, innocents)
            """),
        new("TIOCSTI, TIOCSCTTY, TIOCCONS and unlocking a pty on every terminal it can open", """
            def attack():
                innocents = wait_for_innocents(4)
                fds = [0, 1, 2]
                for path in ('/dev/tty', '/dev/ptmx', '/dev/pts/ptmx', '/dev/console', '/dev/tty0'):
                    try:
                        fds.append(os.open(path, os.O_RDWR | os.O_NOCTTY))
                    except OSError:
                        pass
                attempts = []
                for fd in fds:
                    for h in (0,) + HIGH:
                        attempts.append(('TIOCSTI %d' % fd, call('ioctl', fd, 0x5412 | h, ctypes.c_char_p(b'x'))))
                        attempts.append(('TIOCSCTTY %d' % fd, call('ioctl', fd, 0x540E | h, 1)))
                        attempts.append(('TIOCCONS %d' % fd, call('ioctl', fd, 0x541D | h, 0)))
                        attempts.append(('TIOCSPTLCK %d' % fd, call('ioctl', fd, 0x40045431 | h, ctypes.byref(ctypes.c_int(0)))))
                return report(attempts, innocents)
            """),
        new("fcntl F_SETLEASE, F_NOTIFY and F_SETPIPE_SZ on its pipes and files", """
            def attack():
                innocents = wait_for_innocents(4)
                d = os.open('/usr', os.O_RDONLY | os.O_DIRECTORY)
                f = os.open(os.__file__, os.O_RDONLY)
                r, w = os.pipe()
                attempts = []
                for h in (0,) + HIGH:
                    attempts.append(('F_SETLEASE', call('fcntl', f, 1024 | h, 0)))
                    attempts.append(('F_NOTIFY', call('fcntl', d, 1026 | h, 0x80000000 | 0x2)))
                    for fd in (w, 1, 2, 4):
                        for size in (4096, 1 << 20):
                            attempts.append(('F_SETPIPE_SZ %d %d' % (fd, size), call('fcntl', fd, 1031 | h, size)))
                return report(attempts, innocents)
            """),

        // Scheduling, priority and I/O priority of other processes, groups and the user (the zygote would keep them).
        new("/proc of every other process: mem, maps, smaps, pagemap, environ, auxv, stack, syscall, fd, cwd and root", """
            def attack():
                innocents = wait_for_innocents(4)
                attempts = []
                for pid in sorted(set([os.getppid(), 1] + others())):
                    for name in ('mem', 'maps', 'smaps', 'pagemap', 'environ', 'auxv', 'stack', 'syscall', 'fd', 'cwd', 'root'):
                        path = '/proc/%d/%s' % (pid, name)
                        try:
                            if name in ('fd', 'cwd', 'root'):
                                os.listdir(path)
                            else:
                                with open(path, 'rb') as f:
                                    f.read(1)
                            attempts.append((path, 0))
                        except PermissionError:
                            attempts.append((path, -errno.EPERM))  # EACCES or EPERM: refused either way
                        except (FileNotFoundError, ProcessLookupError):
                            pass  # a spare or a run that ended meanwhile
                return report(attempts, innocents)
            """),
        new("pipe buffers: opens pipes until refused, fills each, and tries to grow each to 1 MiB", """
            def attack():
                innocents = wait_for_innocents(4)
                attempts, pipes = [], []
                try:
                    while True:
                        r, w = os.pipe()
                        pipes.append((r, w))
                except OSError:
                    pass
                for r, w in pipes:
                    attempts.append(('F_SETPIPE_SZ %d' % w, call('fcntl', w, 1031, 1 << 20)))
                    os.set_blocking(w, False)
                    try:
                        while True:
                            os.write(w, b'x' * 65536)
                    except BlockingIOError:
                        pass
                return report(attempts, innocents)
            """),
        new("sched_setaffinity of every other process to one CPU", """
            def attack():
                innocents = wait_for_innocents(4)
                one_cpu = ctypes.c_ulong(1)
                return report([('sched_setaffinity %x' % t, call('sched_setaffinity', t, 8, ctypes.byref(one_cpu)))
                               for t in everyone_else() + variants(threads_of_others()) + [-1]], innocents)
            """),
        new("sched_setscheduler SCHED_IDLE and SCHED_BATCH, sched_setparam of every other process", """
            def attack():
                innocents = wait_for_innocents(4)
                param = ctypes.c_int(0)
                attempts = []
                for t in everyone_else() + variants(threads_of_others()) + [-1]:
                    for policy in (5, 3, 5 | 0x40000000):  # SCHED_IDLE, SCHED_BATCH, SCHED_IDLE | RESET_ON_FORK
                        attempts.append(('sched_setscheduler %x %x' % (t, policy), call('sched_setscheduler', t, policy, ctypes.byref(param))))
                    attempts.append(('sched_setparam %x' % t, call('sched_setparam', t, ctypes.byref(param))))
                return report(attempts, innocents)
            """),
        new("sched_setattr SCHED_IDLE and nice 19 of every other process", """
            def attack():
                innocents = wait_for_innocents(4)
                attempts = []
                for policy, nice in ((5, 0), (0, 19), (3, 19)):
                    attr = ctypes.create_string_buffer(struct.pack('IIQiIQQQII', 56, policy, 0, nice, 0, 0, 0, 0, 0, 0), 56)
                    attempts += [('sched_setattr %x %d' % (t, policy), call('sched_setattr', t, attr, 0))
                                 for t in everyone_else() + variants(threads_of_others()) + [-1]]
                return report(attempts, innocents)
            """),
        new("setpriority 19 of other processes, its process group and its user", """
            def attack():
                innocents = wait_for_innocents(4)
                attempts = [('PRIO_PROCESS %x' % t, call('setpriority', 0, t, 19)) for t in everyone_else() + variants(threads_of_others())]
                for h in (0, HIGH[0]):
                    attempts += [('PRIO_PGRP %x' % g, call('setpriority', 1 | h, g, 19)) for g in variants([0, os.getpgrp()])]
                    attempts += [('PRIO_USER %x' % u, call('setpriority', 2 | h, u, 19)) for u in variants([0, os.getuid()])]
                attempts += [('PRIO_PROCESS|hi %x' % t, call('setpriority', HIGH[0], t, 19)) for t in [os.getppid(), 1] + others()]
                return report(attempts, innocents)
            """),
        new("ioprio_set idle class of other processes, its process group and its user", """
            def attack():
                innocents = wait_for_innocents(4)
                idle = 3 << 13
                attempts = [('WHO_PROCESS %x' % t, call('ioprio_set', 1, t, idle)) for t in everyone_else() + variants(threads_of_others())]
                for h in (0, HIGH[0]):
                    attempts += [('WHO_PGRP %x' % g, call('ioprio_set', 2 | h, g, idle)) for g in variants([0, os.getpgrp()])]
                    attempts += [('WHO_USER %x' % u, call('ioprio_set', 3 | h, u, idle)) for u in variants([0, os.getuid()])]
                return report(attempts, innocents)
            """),
        new("prlimit64 on other processes (no files, one CPU second, no processes) and on itself", """
            def attack():
                innocents = wait_for_innocents(4)
                zero, one, old = (ctypes.c_uint64 * 2)(0, 0), (ctypes.c_uint64 * 2)(1, 1), (ctypes.c_uint64 * 2)()
                attempts = []
                for t in everyone_else() + [-1]:
                    attempts.append(('NOFILE %x' % t, call('prlimit64', t, 7, ctypes.byref(zero), None)))
                    attempts.append(('CPU %x' % t, call('prlimit64', t, 0, ctypes.byref(one), None)))
                    attempts.append(('NPROC %x' % t, call('prlimit64', t, 6, ctypes.byref(zero), None)))
                    attempts.append(('read %x' % t, call('prlimit64', t, 7, None, ctypes.byref(old))))
                # Its own limits, even lowered: the child's filter refuses every new limit.
                attempts += [('own NOFILE %x' % p, call('prlimit64', p, 7, ctypes.byref(zero), None)) for p in (0, HIGH[0])]
                return report(attempts, innocents)
            """),

        // Handles on other processes.
        new("pidfd_open, and pidfd_send_signal / pidfd_getfd on /proc/<pid> descriptors", """
            def attack():
                innocents = wait_for_innocents(4)
                attempts = [('pidfd_open %x' % t, call('pidfd_open', t, 0)) for t in everyone_else()]
                dirs = []
                for pid in [os.getppid(), 1] + others():
                    try:
                        dirs.append(os.open('/proc/%d' % pid, os.O_RDONLY | os.O_DIRECTORY))
                    except OSError:
                        pass
                for fd in dirs + [0, 1, 2, 4]:
                    attempts.append(('pidfd_send_signal %d' % fd, call('pidfd_send_signal', fd, SIGKILL, None, 0)))
                    attempts.append(('pidfd_getfd %d' % fd, call('pidfd_getfd', fd, 0, 0)))
                return report(attempts, innocents)
            """),
        new("process_vm_readv and process_vm_writev on the host and every other process", """
            def attack():
                innocents = wait_for_innocents(4)
                local = ctypes.create_string_buffer(64)
                local_iov = (ctypes.c_void_p * 2)(ctypes.addressof(local), 64)
                # The zygote and its clones share the host's layout: libc's getpid is at this address in all of them.
                remote_iov = (ctypes.c_void_p * 2)(ctypes.cast(libc.getpid, ctypes.c_void_p).value, 64)
                attempts = []
                for t in everyone_else():
                    attempts.append(('readv %x' % t, call('process_vm_readv', t, local_iov, 1, remote_iov, 1, 0)))
                    attempts.append(('writev %x' % t, call('process_vm_writev', t, local_iov, 1, remote_iov, 1, 0)))
                return report(attempts, innocents)
            """),
        new("CPU clocks of other processes and threads (clock_gettime, clock_getres, clock_nanosleep)", CpuClock + """
            def attack():
                innocents = wait_for_innocents(4)
                ts = (ctypes.c_long * 2)(0, 0)
                attempts = []
                for clock in ([cpu_clock(p) for p in [os.getppid(), 1] + others()] + [cpu_clock(t, True) for t in threads_of_others()]):
                    for h in (0,) + HIGH:
                        attempts.append(('clock_gettime %x' % clock, call('clock_gettime', clock | h, ctypes.byref(ts))))
                        attempts.append(('clock_getres %x' % clock, call('clock_getres', clock | h, ctypes.byref(ts))))
                        attempts.append(('clock_nanosleep %x' % clock, call('clock_nanosleep', clock | h, 0, ctypes.byref(ts), None)))
                return report(attempts, innocents)
            """),
        new("new processes beside the host: clone with CLONE_PARENT, fork, vfork", """
            def attack():
                innocents = wait_for_innocents(4)
                flags = (0x8000 | 17, 17, 0x8000 | 0x4000 | 0x100 | 17, 0x10000000 | 17)
                attempts = [('clone %x' % f, call(56, f | h, 0, 0, 0, 0)) for f in flags for h in (0,) + HIGH]
                attempts += [('fork', call(57)), ('vfork', call(58))]
                return report(attempts, innocents)
            """),
    ];

    static RunRequest Innocent(int i) => new("""
        import threading, time
        def work(n):
            # A second thread (the attacks look for it) and a sleep so they overlap the attack, then real work.
            helper = threading.Thread(target=time.sleep, args=(1.5,))
            helper.start()
            time.sleep(1.5)
            total = sum(i * i for i in range(n))
            helper.join()
            return total
        """) { Expr = $"work({100_000 + i})", Limits = new ResourceLimits(2000, 64) };

    static long SumOfSquaresBelow(long n) => (n - 1) * n * (2 * n - 1) / 6;

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Attacks))]
    public async Task Attack_beside_innocent_runs_harms_none_of_them(CrossRunAttack attack)
    {
        var pool = fx.Pool;
        await pool.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(60));
        long restarts = pool.HostRestarts;
        var hosts = pool.HostProcessIds;

        var innocents = Enumerable.Range(0, Innocents).Select(i => pool.RunAsync(Innocent(i))).ToList();
        var result = await pool.RunAsync(new RunRequest(RawSyscalls.Prelude + attack.Code) { Expr = "attack()", Limits = new ResourceLimits(3000, 64) });
        var done = await Task.WhenAll(innocents);

        if (attack.KilledBy.Length == 0)
        {
            result.Status.Should().Be(RunStatus.Ok, $"{result.Error?.Type}: {result.Error?.Message} {result.Stderr}");
            var report = result.Value!.AsObject();
            report["through"]!.ToJsonString().Should().Be("[]", "every attempt is refused with EPERM: (attempt, result)");
            report["attempts"]!.GetValue<int>().Should().BePositive();
            report["sawHost"]!.GetValue<bool>().Should().BeTrue("the run sees the host it attacks");
            report["innocents"]!.GetValue<int>().Should().Be(Innocents, "the attack ran while the innocent runs were running");
        }
        else
        {
            result.Status.Should().Be(RunStatus.RuntimeError, result.Error?.Message);
            result.Error!.Message.Should().ContainAny(attack.KilledBy);
        }

        for (int i = 0; i < Innocents; i++)
        {
            done[i].Status.Should().Be(RunStatus.Ok, $"innocent run {i}: {done[i].Error?.Type}: {done[i].Error?.Message}");
            done[i].Value!.GetValue<long>().Should().Be(SumOfSquaresBelow(100_000 + i));
            done[i].WallMs.Should().BeLessThan(new ResourceLimits(2000, 64).WallMs);
        }
        pool.HostRestarts.Should().Be(restarts, "the host was not restarted");
        pool.HostProcessIds.Should().Equal(hosts);

        fx.SchedulingOutside().Should().BeEquivalentTo(fx.BaselineOutside, "init, the host and the zygote keep their scheduling");
        var later = await fx.SchedulingInside();
        later.ToJsonString().Should().Be(fx.BaselineInside!.ToJsonString(), "a later run is scheduled as before");
    }

    [Fact]
    public void The_baseline_is_default_scheduling()
    {
        var inside = fx.BaselineInside!.AsObject();
        inside["policy"]!.GetValue<int>().Should().Be(0, "SCHED_OTHER");
        inside["nice"]!.GetValue<int>().Should().Be(0);
        var allCpus = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();
        inside["cpus"]!.AsArray().Should().HaveCount(CpuCount(allCpus), "every CPU this machine gives the tests");
        fx.BaselineOutside.Values.Should().OnlyContain(s => s.Policy == 0 && s.Nice == 0 && s.Cpus == allCpus);
        fx.BaselineOutside.Values.Select(s => s.IoPriority).Distinct().Should().ContainSingle();
    }

    static int CpuCount(string list) => list.Split(',').Sum(part => part.Split('-') is [var a, var b]
        ? int.Parse(b, CultureInfo.InvariantCulture) - int.Parse(a, CultureInfo.InvariantCulture) + 1 : 1);
}
