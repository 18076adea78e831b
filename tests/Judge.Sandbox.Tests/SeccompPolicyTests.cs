using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Judge.Sandbox.Tests;

/// <summary>
/// The seccomp allow-list, proven from inside a run: every syscall outside it fails, other ABIs kill the run, the
/// allowed calls that take a pid refuse every process but the caller, and ordinary Python still works.
/// </summary>
[Collection(PoolCollection.Name)]
public sealed class SeccompPolicyTests(PoolFixture fx)
{
    static readonly ResourceLimits Generous = new(5000, 128);

    static string PythonLiteral(JsonNode node) => $"json.loads({System.Text.Json.JsonSerializer.Serialize(node.ToJsonString())})";

    static string SignalOf(RunResult r) => r.Error?.Message ?? "";

    [Fact]
    public void The_policy_describes_x86_64_and_its_child_filter_stays_small()
    {
        var policy = RawSyscalls.Policy;
        policy["arch"]!.GetValue<string>().Should().Be("x86_64", "these tests name x86-64 syscall numbers");
        policy["allowedAnyArguments"]!.AsObject().Should().ContainKeys("read", "futex", "epoll_wait", "getrandom");
        policy["allowedAnyArguments"]!.AsObject().Should().NotContainKeys("socket", "execve", "fork", "ptrace", "socketpair");
        // The per-child program is loaded by every run: it only narrows, so it stays a fraction of the zygote's.
        policy["childFilterInstructions"]!.GetValue<int>().Should().BeLessThan(64);
        policy["zygoteFilterInstructions"]!.GetValue<int>().Should().BeGreaterThan(4 * policy["childFilterInstructions"]!.GetValue<int>());
    }

    [Fact]
    public void The_readme_table_is_the_one_the_policy_prints()
    {
        var readme = File.ReadAllText(RawSyscalls.SandboxFile("README.md"));
        readme.Should().Contain(RawSyscalls.PolicyMarkdown(), "sandbox/README.md lists the allow-list the filter is built from");
    }

    [Fact(Timeout = 120_000)]
    public async Task Every_syscall_outside_the_allow_list_fails_with_EPERM_or_ENOSYS()
    {
        var policy = RawSyscalls.Policy;
        var allowed = policy["allowedAnyArguments"]!.AsObject().Concat(policy["allowedWithArguments"]!.AsObject())
            .Select(kv => kv.Value!.GetValue<int>()).ToHashSet();
        var passthrough = policy["seccompPassthrough"]!.AsObject().Select(kv => kv.Value!.GetValue<int>()).ToHashSet();
        var zygoteOnly = policy["zygoteOnly"]!.AsObject().Select(kv => kv.Value!.GetValue<int>()).ToList();
        zygoteOnly.Should().NotBeEmpty().And.NotIntersectWith(allowed);

        string code = RawSyscalls.Prelude + $$"""
            ALLOWED = set([{{string.Join(", ", allowed.Order())}}])
            SKIPPED = set([{{string.Join(", ", passthrough.Order())}}])

            def sweep():
                wrong, swept = [], []
                for nr in range(600):
                    if nr in ALLOWED or nr in SKIPPED:
                        continue
                    swept.append(nr)
                    r = call(nr, 0, 0, 0, 0, 0, 0)
                    if r not in (-errno.EPERM, -errno.ENOSYS):
                        wrong.append((nr, r))
                return wrong, len(swept), [nr for nr in ({{string.Join(", ", zygoteOnly)}},) if nr in swept]
            """;
        var r = await fx.Run(code, "sweep()", limits: Generous);

        r.Status.Should().Be(RunStatus.Ok, $"{r.Error?.Type}: {r.Error?.Message} {r.Stderr}");
        var tuple = r.Value!["$tuple"]!.AsArray();
        tuple[0]!.ToJsonString().Should().Be("[]", "every syscall outside the list is refused (number, result)");
        tuple[1]!.GetValue<int>().Should().Be(600 - allowed.Count(nr => nr < 600) - passthrough.Count);
        tuple[2]!.AsArray().Select(n => n!.GetValue<int>()).Should().Equal(zygoteOnly, "what only the zygote needs is refused to a run");
    }

    [Fact(Timeout = 60_000)]
    public async Task Syscalls_the_kernel_passes_around_seccomp_hurt_only_the_caller()
    {
        // uprobe and uretprobe (6.14+) are not filtered by the kernel at all; outside a uprobe trampoline they fail
        // (ENXIO) or kill the caller (SIGILL). Either way only this run is affected.
        var passthrough = RawSyscalls.Policy["seccompPassthrough"]!.AsObject();
        var uprobe = await fx.Run(RawSyscalls.Prelude, $"call({passthrough["uprobe"]})");
        uprobe.Status.Should().Be(RunStatus.Ok);
        uprobe.Value!.GetValue<int>().Should().BeOneOf(-1, -6, -38); // EPERM on older kernels, ENXIO, ENOSYS

        var uretprobe = await fx.Run(RawSyscalls.Prelude, $"call({passthrough["uretprobe"]})");
        if (uretprobe.Status == RunStatus.Ok)
            uretprobe.Value!.GetValue<int>().Should().BeOneOf(-1, -38);
        else
            SignalOf(uretprobe).Should().Contain("SIGILL");
        (await fx.Run("", "6 * 7")).Value!.ToJsonString().Should().Be("42");
    }

    [Theory(Timeout = 60_000)]
    [InlineData(39, "getpid")]
    [InlineData(62, "kill")]
    [InlineData(0, "read")]
    public async Task An_x32_syscall_number_kills_the_run_with_SIGSYS(int nr, string name)
    {
        // x32 numbers carry bit 0x40000000 on the x86-64 ABI: the filter kills rather than let them be read as
        // a number it allowed (the low bits of getpid and read are allowed).
        var r = await fx.Run(RawSyscalls.Prelude, $"call(0x40000000 | {nr}, os.getppid(), SIGKILL, 0)");
        r.Status.Should().Be(RunStatus.RuntimeError, name);
        SignalOf(r).Should().Contain("SIGSYS");
        (await fx.Run("", "6 * 7")).Value!.ToJsonString().Should().Be("42");
    }

    /// <summary>How a python3 that runs <see cref="RawSyscalls.Int80"/> on itself outside the sandbox ends: SIGKILL (137) where the
    /// i386 entry works, SIGSEGV (139) on kernels that have none (confidential VMs, ia32_emulation=0).</summary>
    static async Task<int> Int80OutsideTheSandbox()
    {
        var psi = new ProcessStartInfo("/usr/bin/python3.11", ["-I", "-c", "import ctypes, os\n" + RawSyscalls.Int80 + "int80_kill(os.getpid())\n"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return p.ExitCode;
    }

    [Fact(Timeout = 60_000)]
    public async Task An_i386_int_0x80_syscall_kills_the_run()
    {
        int outside = await Int80OutsideTheSandbox();
        outside.Should().BeOneOf([137, 139], "outside the sandbox the i386 kill either works or faults");
        var r = await fx.Run(RawSyscalls.Prelude + RawSyscalls.Int80, "int80_kill(os.getppid())");
        r.Status.Should().Be(RunStatus.RuntimeError);
        // Where the kernel has an i386 entry, seccomp sees AUDIT_ARCH_I386 (not in the filter) and kills the run;
        // where it has none, the instruction itself faults before any filter runs.
        SignalOf(r).Should().Contain(outside == 139 ? "SIGSEGV" : "SIGSYS", $"outside the sandbox int 0x80 ended with status {outside}");
        (await fx.Run("", "6 * 7")).Value!.ToJsonString().Should().Be("42");
    }

    [Fact(Timeout = 120_000)]
    public async Task Allowed_syscalls_that_name_a_process_refuse_every_process_but_the_caller()
    {
        var names = RawSyscalls.Policy["namesAProcess"]!;
        // Harmless arguments: zero everywhere but the target (and "which" where zero does not mean a process), so a
        // call the filter wrongly let through would come back with something other than EPERM (0, EINVAL, EFAULT,
        // ESRCH) and change nothing. Targets: the host, bwrap's init, every other pid in /proc, every thread, with
        // high bits set; groups (0, -1, -pgrp) for the kill family; process groups and users for the priorities.
        string code = RawSyscalls.Prelude + $$"""
            NAMES = {{PythonLiteral(names)}}
            KILL_FAMILY = {'kill', 'tkill', 'tgkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo'}
            PRIO = {'getpriority': (0, 1, 2), 'setpriority': (0, 1, 2), 'ioprio_get': (1, 2, 3), 'ioprio_set': (1, 2, 3)}

            def cpu_clock(pid, thread=False):
                return ((~pid) << 3 | (6 if thread else 2)) & 0xFFFFFFFF

            def attempt(name, target, which=None):
                nr, index = NAMES[name]['number'], NAMES[name]['argument']
                args = [0] * 6
                if name in PRIO:
                    args[0] = PRIO[name][0] if which is None else which
                if name in ('tgkill', 'rt_tgsigqueueinfo'):
                    args[1] = target
                if name.startswith('clock_'):
                    target = cpu_clock(target & 0xFFFFFFFF) | (target & ~0xFFFFFFFF)
                args[index] = target
                return call(nr, *args)

            def check():
                targets = everyone_else()
                attempts = []
                for name in NAMES:
                    attempts += [('%s %x' % (name, t), attempt(name, t)) for t in targets]
                    if name in KILL_FAMILY:
                        attempts += [('%s group %x' % (name, g), attempt(name, g)) for g in groups()]
                    if name in PRIO:
                        for which, whos in zip(PRIO[name][1:], ([0, os.getpgrp()], [0, os.getuid()])):
                            attempts += [('%s %d %x' % (name, which, w), attempt(name, w, which)) for w in variants(whos)]
                            attempts += [('%s %d|hi %x' % (name, which, w), attempt(name, w, which | HIGH[0])) for w in whos]
                    if name.startswith('clock_'):
                        attempts += [('%s thread %x' % (name, t), call(NAMES[name]['number'], cpu_clock(t, True), 0, 0, 0))
                                     for t in threads_of_others()]
                # The same calls naming the caller itself are allowed (the test can tell a refusal from a result).
                controls = {name: attempt(name, os.getpid() if name in KILL_FAMILY else 0) for name in NAMES
                            if not name.startswith('clock_')}
                controls['clock_gettime'] = call(NAMES['clock_gettime']['number'], 1, 0)
                refused_controls = sorted(n for n, r in controls.items() if r == -errno.EPERM)
                return report(attempts), refused_controls, sorted(NAMES)
            """;
        var r = await fx.Run(code, "check()", limits: Generous);

        r.Status.Should().Be(RunStatus.Ok, $"{r.Error?.Type}: {r.Error?.Message} {r.Stderr}");
        var tuple = r.Value!["$tuple"]!.AsArray();
        var report = tuple[0]!.AsObject();
        report["through"]!.ToJsonString().Should().Be("[]", "no other process, group or user can be named");
        report["sawHost"]!.GetValue<bool>().Should().BeTrue();
        report["sawInit"]!.GetValue<bool>().Should().BeTrue();
        report["attempts"]!.GetValue<int>().Should().BeGreaterThan(names.AsObject().Count * 9);
        tuple[1]!.ToJsonString().Should().Be("[]", "the same calls aimed at the caller itself are allowed");
        tuple[2]!.AsArray().Should().HaveCount(names.AsObject().Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Arguments_with_high_bits_set_are_read_the_way_the_kernel_reads_them()
    {
        // The kernel reads fcntl's cmd and ioctl's request as 32-bit ints: F_SETOWN with a high bit set is still
        // F_SETOWN, and must be refused; F_GETFD with one is still F_GETFD. Shared mappings stay refused whatever
        // else the flags say; a thread in a new namespace is refused too.
        string code = RawSyscalls.Prelude + """
            import mmap
            def check():
                r, w = os.pipe()
                refused = {
                    'F_SETOWN': [call('fcntl', r, 8 | h, os.getppid()) for h in (0,) + HIGH],
                    'F_SETSIG': [call('fcntl', r, 10 | h, SIGKILL) for h in (0,) + HIGH],
                    'F_SETFL O_ASYNC': [call('fcntl', r, 4 | h, 0x2000 | x) for h in (0,) + HIGH for x in (0,) + HIGH],
                    'F_SETPIPE_SZ': [call('fcntl', w, 1031 | h, 4096) for h in (0,) + HIGH],
                    'FIOASYNC': [call('ioctl', r, 0x5452 | h, ctypes.byref(ctypes.c_int(1))) for h in (0,) + HIGH],
                    'mmap shared': [call(9, 0, 4096, 3, t | 0x20 | h, -1, 0) for t in (1, 3) for h in (0,) + HIGH],
                    # A thread with a new user or pid namespace: the kernel would say EINVAL, the filter says EPERM.
                    'clone namespace thread': [call(56, 0x00010000 | 0x00000100 | 0x00000800 | f, 0, 0, 0, 0)
                                               for f in (0x10000000, 0x20000000)],
                }
                allowed = {
                    'F_GETFD': [call('fcntl', r, 1 | h, 0) for h in (0,) + HIGH],
                    'F_SETFL O_NONBLOCK': [call('fcntl', r, 4 | h, os.O_NONBLOCK) for h in (0,) + HIGH],
                    'FIONREAD': [call('ioctl', r, 0x541B | h, ctypes.byref(ctypes.c_int())) for h in (0,) + HIGH],
                    'mmap private': [call(9, 0, 4096, 3, 0x02 | 0x20 | h, -1, 0) for h in (0,) + HIGH],
                }
                return ({k: v for k, v in refused.items() if set(v) != {-errno.EPERM}},
                        {k: v for k, v in allowed.items() if -errno.EPERM in v})
            """;
        var r = await fx.Run(code, "check()");
        r.Status.Should().Be(RunStatus.Ok, $"{r.Error?.Type}: {r.Error?.Message} {r.Stderr}");
        r.Value!.ToJsonString().Should().Be("{\"$tuple\":[{},{}]}", "(refused calls that got through, allowed calls that were refused)");
    }

    [Fact(Timeout = 60_000)]
    public async Task Ordinary_python_works_under_the_allow_list()
    {
        // Threads, asyncio on real descriptors (a pipe and an eventfd in epoll), select/poll/epoll/selectors,
        // private mappings, randomness, time, scheduling and priority of itself, signals to itself, ctypes callbacks,
        // sqlite, files under /usr and /proc/self.
        const string code = """
            import asyncio, concurrent.futures, ctypes, mmap, os, random, resource, select, selectors, signal, sqlite3
            import threading, time

            def check():
                checks = []
                def expect(name, value, wanted):
                    checks.append((name, value, wanted))

                results = []
                workers = [threading.Thread(target=results.append, args=(i,)) for i in range(4)]
                for w in workers:
                    w.start()
                for w in workers:
                    w.join()
                with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
                    expect('threads', (sorted(results), sorted(pool.map(lambda x: x * x, range(5)))), ([0, 1, 2, 3], [0, 1, 4, 9, 16]))
                lock, event = threading.Lock(), threading.Event()
                threading.Timer(0.01, event.set).start()
                expect('event', (event.wait(5), lock.acquire(timeout=1)), (True, True))

                async def on_descriptors():
                    loop = asyncio.get_running_loop()
                    r, w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
                    efd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
                    got, counted = loop.create_future(), loop.create_future()
                    loop.add_reader(r, lambda: got.done() or got.set_result(os.read(r, 100)))
                    loop.add_reader(efd, lambda: counted.done() or counted.set_result(os.eventfd_read(efd)))
                    loop.call_soon(os.write, w, b'ping')
                    loop.call_soon(os.eventfd_write, efd, 3)
                    data, count = await asyncio.gather(got, counted)
                    loop.remove_reader(r)
                    loop.remove_reader(efd)
                    start = loop.time()
                    await asyncio.sleep(5)
                    return data, count, await asyncio.to_thread(sum, range(10)), loop.time() - start
                expect('asyncio', asyncio.run(on_descriptors()), (b'ping', 3, 45, 5.0))

                r, w = os.pipe()
                os.write(w, b'x')
                ep = select.epoll()
                ep.register(r, select.EPOLLIN)
                p = select.poll()
                p.register(r, select.POLLIN)
                sel = selectors.DefaultSelector()
                sel.register(r, selectors.EVENT_READ)
                expect('select', (select.select([r], [], [], 1)[0], len(p.poll(1000)), len(ep.poll(1)), len(sel.select(1)),
                                  type(sel).__name__), ([r], 1, 1, 1, 'EpollSelector'))
                os.set_blocking(w, False)
                os.set_inheritable(w, True)
                expect('descriptor flags', (os.get_blocking(w), os.get_inheritable(w), os.isatty(0), os.dup(w) > w),
                       (False, True, False, True))

                m = mmap.mmap(-1, 1 << 20, flags=mmap.MAP_PRIVATE)
                m[:5] = b'hello'
                with open(os.__file__, 'rb') as f:
                    first = f.read(16)
                    fm = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)
                expect('mmap', (bytes(m[:5]), fm[:16] == first), (b'hello', True))

                expect('random', (len(os.urandom(16)), len(os.getrandom(8)), 0 <= random.SystemRandom().random() < 1),
                       (16, 8, True))

                t0, c0 = time.monotonic(), time.process_time()
                time.sleep(0.02)
                sum(range(100000))
                expect('time', (time.monotonic() - t0 >= 0.02, time.time() > 1.7e9, time.process_time() > c0,
                                time.thread_time() > 0, time.perf_counter_ns() > 0,
                                time.clock_getres(time.CLOCK_MONOTONIC) > 0, time.localtime().tm_year >= 2025,
                                os.times().user >= 0), (True,) * 8)

                cpus = os.sched_getaffinity(0)
                os.sched_setaffinity(0, cpus)
                nice = os.getpriority(os.PRIO_PROCESS, 0)
                os.setpriority(os.PRIO_PROCESS, 0, nice + 1)
                expect('itself', (len(cpus) == os.cpu_count() >= 1, nice, os.getpriority(os.PRIO_PROCESS, 0),
                                  os.sched_getscheduler(0) == os.SCHED_OTHER, resource.getrlimit(resource.RLIMIT_NOFILE),
                                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0, os.getpid() > 1),
                       (True, 0, 1, True, (162, 162), True, True))

                hits = []
                signal.signal(signal.SIGUSR1, lambda *a: hits.append('usr1'))
                signal.signal(signal.SIGALRM, lambda *a: hits.append('alarm'))
                os.kill(os.getpid(), signal.SIGUSR1)
                signal.raise_signal(signal.SIGUSR1)
                signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)
                signal.setitimer(signal.ITIMER_REAL, 0.01)
                time.sleep(0.5)
                signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
                os.kill(os.getpid(), signal.SIGUSR2)
                waited = signal.sigtimedwait([signal.SIGUSR2], 1)
                expect('signals', (hits, waited.si_signo), (['usr1', 'usr1', 'usr1', 'alarm'], signal.SIGUSR2))

                libc = ctypes.CDLL(None)
                compare = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
                numbers = (ctypes.c_int * 5)(5, 1, 4, 2, 3)
                libc.qsort(numbers, 5, ctypes.sizeof(ctypes.c_int), compare(lambda a, b: a[0] - b[0]))
                expect('ctypes callback', list(numbers), [1, 2, 3, 4, 5])
                expect('sqlite', sqlite3.connect(':memory:').execute('select 6 * 7').fetchone()[0], 42)
                expect('files', ('os.py' in os.listdir(os.path.dirname(os.__file__)), os.path.realpath('/proc/self') != '/proc/self',
                                 'Name:' in open('/proc/self/status').read(), os.access('/usr', os.R_OK), os.getcwd()),
                       (True, True, True, True, '/'))
                return [(name, repr(value)) for name, value, wanted in checks if value != wanted], len(checks)
            """;
        var r = await fx.Run(code, "check()", limits: Generous);

        r.Status.Should().Be(RunStatus.Ok, $"{r.Error?.Type}: {r.Error?.Message} {r.Error?.Traceback} {r.Stderr}");
        r.Value!.ToJsonString().Should().Be("{\"$tuple\":[[],13]}", "(checks that failed, checks made)");
    }
}
