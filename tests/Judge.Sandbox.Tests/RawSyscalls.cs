using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Judge.Sandbox.Tests;

/// <summary>
/// What the seccomp tests share: the policy's own description (sandbox/seccomp_policy.py --json, so the allow-list
/// is written down once), and a Python prelude that makes raw syscalls through ctypes from inside a run.
/// </summary>
internal static class RawSyscalls
{
    static readonly Lazy<JsonObject> LazyPolicy = new(() => JsonNode.Parse(RunPolicyScript("--json"))!.AsObject());

    public static JsonObject Policy => LazyPolicy.Value;

    public static string PolicyMarkdown() => RunPolicyScript("--markdown");

    public static string SandboxFile(string name) => Path.Combine(AppContext.BaseDirectory, "sandbox", name);

    static string RunPolicyScript(string argument)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3.11", ["-I", SandboxFile("seccomp_policy.py"), argument])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) p.Kill();
        if (p.ExitCode != 0) throw new InvalidOperationException($"seccomp_policy.py {argument} failed: {stderr.Result}");
        return stdout;
    }

    /// <summary>
    /// x86-64 syscall numbers by name, <c>call(name_or_number, *args)</c> returning the result or minus errno (int
    /// arguments passed as full 64-bit registers, so the high bits are the caller's to choose), the other processes
    /// this run can see in /proc, their threads, its siblings (the host's other children: the zygote, spares, other
    /// runs), and <c>report(attempts)</c>: the attempts that were not refused with EPERM.
    /// </summary>
    public const string Prelude = """
        import ctypes, errno, json, os, struct, time
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        NR = dict(ioctl=16, kill=62, fcntl=72, getpriority=140, setpriority=141, sched_setparam=142,
                  sched_setscheduler=144, rt_sigqueueinfo=129, tkill=200, sched_setaffinity=203, clock_gettime=228,
                  clock_getres=229, clock_nanosleep=230, tgkill=234, ioprio_set=251, ioprio_get=252,
                  rt_tgsigqueueinfo=297, prlimit64=302, process_vm_readv=310, process_vm_writev=311, sched_setattr=314,
                  pidfd_send_signal=424, pidfd_open=434, pidfd_getfd=438)
        HIGH = (1 << 32, 0xFFFFFFFF << 32)
        SIGKILL = 9

        def call(nr, *args):
            nr = NR.get(nr, nr)
            r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
            return r if r >= 0 else -ctypes.get_errno()

        def others():
            me = os.getpid()
            return sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != me)

        def threads_of_others():
            tids = set()
            for pid in others():
                try:
                    tids.update(int(t) for t in os.listdir('/proc/%d/task' % pid))
                except OSError:
                    pass
            return sorted(tids)

        def parent_of(pid):
            try:
                with open('/proc/%d/stat' % pid) as f:
                    return int(f.read().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                return None

        def siblings():
            return [p for p in others() if parent_of(p) == os.getppid()]

        def threads(pid):
            try:
                with open('/proc/%d/status' % pid) as f:
                    return int(next(l for l in f if l.startswith('Threads:')).split()[1])
            except (OSError, StopIteration, ValueError):
                return 0

        def wait_for_innocents(n, seconds=5.0):
            # Innocent runs hold a second thread while they work: a spare or the zygote never has one.
            deadline = time.monotonic() + seconds
            while True:
                seen = [p for p in siblings() if threads(p) >= 2]
                if len(seen) >= n or time.monotonic() > deadline:
                    return seen
                time.sleep(0.01)

        def variants(pids):
            # Each pid as is, and with high bits set that the kernel drops (it reads an int from the low 32 bits).
            return [v for p in pids for v in (p, p | HIGH[0], p | HIGH[1])]

        def groups():
            # Values a kill-style call reads as "my process group", "everyone" or "that group".
            pgrp = os.getpgrp()
            return [0, -1, -pgrp, -os.getppid(), 0xFFFFFFFF, -pgrp & 0xFFFFFFFF, HIGH[0], HIGH[0] | (-pgrp & 0xFFFFFFFF)]

        def everyone_else():
            return variants(sorted(set([os.getppid(), 1] + others())))

        def report(attempts, innocents=()):
            through = [(what, r) for what, r in attempts if r != -errno.EPERM]
            return {'through': through[:20], 'attempts': len(attempts), 'innocents': len(innocents),
                    'sawHost': os.getppid() in others(), 'sawInit': 1 in others()}

        """;

    /// <summary>Machine code for i386 kill(pid, SIGKILL) through int 0x80 (rbx saved: the x86-64 ABI keeps it).</summary>
    public const string Int80 = """
        import mmap
        def int80_kill(pid):
            code = (b'\x53' + b'\xbb' + pid.to_bytes(4, 'little') + b'\xb9\x09\x00\x00\x00' + b'\xb8\x25\x00\x00\x00'
                    + b'\xcd\x80' + b'\x5b' + b'\xc3')
            m = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                          prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            m.write(code)
            return ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(m)))()

        """;
}
