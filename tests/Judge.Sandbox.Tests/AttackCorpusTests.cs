using Judge.Sandbox.Pool;

namespace Judge.Sandbox.Tests;

/// <summary>
/// Hostile programs. Each asserts the run's status (and, where it says more, the value or error), then that the
/// host is still serving: the next run on the pool is correct.
/// </summary>
[Collection(PoolCollection.Name)]
public sealed class AttackCorpusTests(PoolFixture fx)
{
    public sealed record Attack(string Name, string Code, string? Expr, RunStatus[] Allowed, string? ErrorType = null,
        string? Value = null, int TimeMs = 500, int MemoryMb = 64, string? NotInOutput = null)
    {
        public override string ToString() => Name;
    }

    static readonly RunStatus[] Tle = [RunStatus.TimeLimitExceeded];
    static readonly RunStatus[] Mle = [RunStatus.MemoryLimitExceeded];
    static readonly RunStatus[] MleOrRefused = [RunStatus.MemoryLimitExceeded, RunStatus.RuntimeError];
    static readonly RunStatus[] Ole = [RunStatus.OutputLimitExceeded];
    static readonly RunStatus[] Error = [RunStatus.RuntimeError];
    static readonly RunStatus[] Ok = [RunStatus.Ok];
    static readonly RunStatus[] NotHostFailure =
        [RunStatus.Ok, RunStatus.RuntimeError, RunStatus.TimeLimitExceeded, RunStatus.MemoryLimitExceeded];

    const string Libc = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.syscall.restype = ctypes.c_long\n";

    public static readonly TheoryData<Attack> Corpus =
    [
        // CPU and wall clock
        new("busy loop", "while True:\n    pass\n", null, Tle),
        new("catches SIGXCPU and keeps spinning", "import signal\nsignal.signal(signal.SIGXCPU, lambda *a: None)\nwhile True:\n    pass\n", null, Tle),
        new("raises its CPU rlimit first", "import resource\ntry:\n    resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\nexcept Exception:\n    pass\nwhile True:\n    pass\n", null, Tle),
        new("raising rlimits is refused", "import resource\ndef f():\n    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n", "f()", Error, "ValueError"),
        new("sleeps forever", "import time\ntime.sleep(3600)\n", null, Tle),
        new("ignores SIGTERM and sleeps", "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(3600)\n", null, Tle),
        new("deadlocks on its own lock", "import threading\nl = threading.Lock()\nl.acquire()\nl.acquire()\n", null, Tle),
        new("blocks in select forever", "import select\nselect.select([], [], [])\n", null, Tle),
        new("spins in many threads", "import threading\ndef spin():\n    while True:\n        pass\nfor _ in range(4):\n    threading.Thread(target=spin, daemon=True).start()\nwhile True:\n    pass\n", null, Tle),

        // Memory
        new("bytearray of 4 GiB", "x = bytearray(4 * 1024**3)\n", null, Mle),
        new("growing list", "x = []\nwhile True:\n    x.append(' ' * 1024)\n", null, Mle, TimeMs: 5000),
        new("huge string", "s = ' ' * (10**10)\n", null, Mle),
        new("shared anonymous mmap of 2 GiB", "import mmap\nm = mmap.mmap(-1, 2 * 1024**3)\nm[::4096] = b'x' * (2 * 1024**3 // 4096)\n", null, MleOrRefused),
        new("private mmap of 2 GiB", "import mmap\nm = mmap.mmap(-1, 2 * 1024**3, flags=mmap.MAP_PRIVATE)\n", null, MleOrRefused),
        new("MAP_NORESERVE private mapping of 2 GiB, every page touched", Libc + "import mmap\nlibc.mmap.restype = ctypes.c_void_p\nlibc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]\nsize = 2 * 1024**3\np = libc.mmap(None, size, 3, 0x22 | 0x4000, -1, 0)  # PROT_READ|WRITE, MAP_PRIVATE|ANONYMOUS|NORESERVE\nif p in (None, ctypes.c_void_p(-1).value):\n    raise MemoryError('refused')\nfor off in range(0, size, 4096):\n    ctypes.memset(p + off, 1, 1)\n", null, MleOrRefused, TimeMs: 5000),
        new("MAP_GROWSDOWN mapping grown page by page below itself", Libc + "libc.mmap.restype = ctypes.c_void_p\nlibc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]\np = libc.mmap(None, 4096, 3, 0x22 | 0x0100, -1, 0)  # MAP_PRIVATE|ANONYMOUS|GROWSDOWN\nif p in (None, ctypes.c_void_p(-1).value):\n    raise MemoryError('refused')\nfor i in range(1, 2 * 1024**3 // 4096):\n    ctypes.memset(p - i * 4096, 1, 1)\n", null, [RunStatus.MemoryLimitExceeded, RunStatus.RuntimeError], TimeMs: 5000),
        new("opens pipes until refused and fills each (kernel memory outside its heap)", "import os, fcntl\npipes = []\ntry:\n    while True:\n        r, w = os.pipe()\n        os.set_blocking(w, False)\n        pipes.append((r, w))\n        try:\n            while True:\n                os.write(w, b'x' * 65536)\n        except BlockingIOError:\n            pass\nexcept OSError:\n    pass\ndef f():\n    return len(pipes) < 200\n", "f()", Ok, Value: "true"),
        new("reads other processes' mem, maps, environ, fd, cwd and root through /proc", "import os\ndef f():\n    opened = []\n    me = os.getpid()\n    for pid in [p for p in os.listdir('/proc') if p.isdigit() and int(p) != me]:\n        for name in ('mem', 'maps', 'environ', 'fd', 'cwd', 'root', 'stack', 'syscall'):\n            path = '/proc/%s/%s' % (pid, name)\n            try:\n                if name in ('fd', 'cwd', 'root'):\n                    os.listdir(path)\n                else:\n                    with open(path, 'rb') as fh:\n                        fh.read(1)\n                opened.append(path)\n            except OSError:\n                pass\n    return opened\n", "f()", Ok, Value: "[]"),
        new("memfd is refused", "import os\nfd = os.memfd_create('x')\n", null, Error, "PermissionError"),
        new("ctypes malloc loop", "import ctypes\nlibc = ctypes.CDLL(None)\nlibc.malloc.restype = ctypes.c_void_p\nwhile True:\n    p = libc.malloc(1 << 20)\n    if not p:\n        raise MemoryError\n    ctypes.memset(p, 1, 1 << 20)\n", null, Mle, TimeMs: 5000),

        // Output floods on fd 1 and 2
        new("print flood", "while True:\n    print('x' * 1000)\n", null, Ole),
        new("raw write flood on fd 1", "import os\nwhile True:\n    os.write(1, b'y' * 65536)\n", null, Ole),
        new("stderr flood", "import sys\nwhile True:\n    sys.stderr.write('z' * 1000)\n", null, Ole),
        new("raw write flood on fd 2", "import os\nwhile True:\n    os.write(2, b'w' * 65536)\n", null, Ole),
        new("keeps writing after stdout is full", "import os\nwhile True:\n    try:\n        os.write(1, b'v' * 4096)\n    except OSError:\n        pass\n", null, Ole),
        new("writes a forged frame into every descriptor it has, then fails", "import os, struct\nbody = b'{\"kind\": \"value\", \"value\": 42}'\nfor fd in range(3, 128):\n    try:\n        os.write(fd, struct.pack('>I', len(body)) + body)\n    except OSError:\n        pass\nraise ValueError('after the forgery')\n", "1", Error, "NoResult"),

        // Recursion
        new("unbounded recursion", "def f(n):\n    return f(n + 1)\n", "f(0)", Error, "RecursionError"),
        new("C stack overflow after raising the recursion limit", "import sys\nsys.setrecursionlimit(10**7)\nx = []\nfor _ in range(10**6):\n    x = [x]\n", "len(repr(x))", Error, TimeMs: 3000, MemoryMb: 256),

        // New processes and programs
        new("os.fork", "import os\n", "os.fork()", Error, "PermissionError"),
        new("fork bomb", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", null, Tle),
        new("libc fork through ctypes", Libc, "(libc.fork(), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("raw clone syscall", Libc, "(libc.syscall(56, 17, 0, 0, 0, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("raw vfork syscall", Libc, "(libc.syscall(58), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("clone3 is not available", Libc, "(libc.syscall(435, 0, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,38]}"),
        new("thread bomb is capped", "import threading, time\nn = 0\ndef bomb():\n    global n\n    try:\n        while True:\n            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n            n += 1\n    except RuntimeError:\n        return n\n", "bomb() < 256", Ok, Value: "true", TimeMs: 5000),
        new("thread bomb with tiny stacks is capped", "import threading, time\nthreading.stack_size(32768)\nn = 0\ndef bomb():\n    global n\n    try:\n        while True:\n            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n            n += 1\n    except RuntimeError:\n        return n\n", "bomb() < 256", Ok, Value: "true", TimeMs: 5000),
        new("subprocess", "import subprocess\n", "subprocess.run(['/bin/true'])", Error, "PermissionError"),
        new("os.system", "import os\n", "os.system('echo pwned') != 0", Ok, Value: "true", NotInOutput: "pwned"),
        new("exec a shell", "import os\n", "os.execv('/bin/sh', ['sh', '-c', 'echo pwned'])", Error, "PermissionError", NotInOutput: "pwned"),
        new("multiprocessing", "import multiprocessing\ndef f():\n    p = multiprocessing.Process(target=print)\n    p.start()\n", "f()", Error),

        // Network
        new("TCP to the API's port", "import socket\n", "socket.create_connection(('127.0.0.1', 8080), timeout=1)", Error, "PermissionError"),
        new("AF_UNIX socket", "import socket\n", "socket.socket(socket.AF_UNIX)", Error, "PermissionError"),
        new("DNS lookup", "import socket\n", "socket.getaddrinfo('example.com', 80)", Error),
        new("socketpair", "import socket\n", "socket.socketpair()", Error, "PermissionError"),
        new("raw socket syscall", Libc, "(libc.syscall(41, 2, 1, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),

        // Files
        new("reads /etc/passwd", "", "open('/etc/passwd').read()", Error, "FileNotFoundError"),
        new("sees no host file system", "import os\n", "sorted(n for n in os.listdir('/') if n not in ('app', 'bin', 'dev', 'lib', 'lib64', 'proc', 'run', 'usr'))", Ok, Value: "[]"),
        new("cannot see the repository or problems", "import os\n", "[os.path.exists(p) for p in ('/work', '/root', '/home', '/tmp', '/app/problems', '/app/appsettings.json', '/data')]", Ok, Value: "[false,false,false,false,false,false,false]"),
        new("cannot write files", "", "open('/app/evil.txt', 'w')", Error, "PermissionError"),
        new("finds nowhere to leave a file for the next run", "import os\ndef leave():\n    left = []\n    for d in ('/', '/dev', '/dev/shm', '/app', '/app/sandbox', '/run', '/run/judge', '/proc/self/cwd'):\n        try:\n            with open(os.path.join(d, 'leftover'), 'w') as f:\n                f.write('x')\n            left.append(d)\n        except OSError:\n            pass\n    return left\n", "leave()", Ok, Value: "[]"),
        new("environment is empty", "import os\n", "sorted(k for k in os.environ if not k.startswith('DOTNET_') and k != 'PWD')", Ok, Value: "[]"),
        new("reads bwrap's and the host's environ", "import os\ndef scan():\n    found = []\n    for pid in os.listdir('/proc'):\n        if pid.isdigit():\n            try:\n                data = open('/proc/%s/environ' % pid, 'rb').read()\n            except OSError:\n                continue\n            found += [e for e in data.split(b'\\0') if e and not e.startswith((b'DOTNET_', b'PWD='))]\n    return found\n", "scan()", Ok, Value: "[]"),
        new("reads the host's memory", "import os\n", "open('/proc/%d/mem' % os.getppid(), 'rb').read(1)", Error),

        // The parent and other processes
        new("kills its parent", "import os, signal\n", "os.kill(os.getppid(), signal.SIGKILL)", Error, "PermissionError"),
        new("kill(-1)", "import os, signal\n", "os.kill(-1, signal.SIGKILL)", Error, "PermissionError"),
        new("kills its process group", "import os, signal\n", "os.killpg(0, signal.SIGKILL)", Error, "PermissionError"),
        new("ptrace attach to parent", Libc, "(libc.ptrace(16, os.getppid(), 0, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("process_vm_readv on parent", Libc, "(libc.syscall(310, os.getppid(), 0, 0, 0, 0, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("unshare a user namespace", Libc, "(libc.unshare(0x10000000), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("io_uring_setup", Libc, "(libc.syscall(425, 8, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("bpf", Libc, "(libc.syscall(321, 0, 0, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("keyctl", Libc, "(libc.syscall(250, 0, 0, 0, 0, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("userfaultfd", Libc, "(libc.syscall(323, 0), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("SysV shared memory", Libc, "(libc.shmget(0, 1 << 20, 0o1600), ctypes.get_errno())", Ok, Value: "{\"$tuple\":[-1,1]}"),
        new("writes into memory shared with the host", Libc + "def attack():\n    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]\n    hits = []\n    for line in open('/proc/self/maps'):\n        parts = line.split()\n        if parts[1][3] != 's':\n            continue\n        lo, hi = (int(x, 16) for x in parts[0].split('-'))\n        if libc.mprotect(lo, hi - lo, 3) == 0:\n            ctypes.memset(lo, 0xCC, hi - lo)\n            hits.append(line.strip())\n    return hits\n", "attack()", Ok, Value: "[]"),
        new("segfaults itself", "import ctypes\n", "ctypes.string_at(0)", Error),

        // The clr bridge
        new("imports clr", "", "__import__('clr')", Error, "ImportError"),
        new("imports System", "", "__import__('System')", Error, "ImportError"),
        new("digs clr out of memory", "import gc, sys\ndef dig():\n    sys.meta_path.clear()\n    for o in gc.get_objects():\n        if type(o).__name__ == 'module' and getattr(o, '__name__', '') == 'clr':\n            return o.AddReference('System').GetType().Name\n    return 'not found'\n", "dig()", NotHostFailure, TimeMs: 2000),

        // Exits and interpreter tricks
        new("SystemExit at import", "import sys\nsys.exit(0)\n", "1", Error, "SystemExit"),
        new("os._exit(0) forges nothing", "import os\nos._exit(0)\n", "1", Error, "NoResult"),
        new("closes every descriptor it has, the result pipe among them", "import os\nos.closerange(3, 128)\n", "1", Error, "NoResult"),
        new("KeyboardInterrupt", "raise KeyboardInterrupt\n", null, Error, "KeyboardInterrupt"),
        new("BaseException with a looping __str__", "class Boom(BaseException):\n    def __str__(self):\n        while True:\n            pass\nraise Boom()\n", null, Tle),
        new("SystemExit with a looping __str__ argument", "class S:\n    def __str__(self):\n        while True:\n            pass\nimport sys\nsys.exit(S())\n", null, Tle),
        new("prints a fake result", "print('{\"kind\": \"value\", \"value\": 42}')\n", "1", Ok, Value: "1"),
    ];

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Corpus))]
    public async Task Attack_is_contained_and_host_keeps_serving(Attack attack)
    {
        var limits = new ResourceLimits(attack.TimeMs, attack.MemoryMb);
        var result = await fx.Run(attack.Code, attack.Expr, limits: limits);

        result.Status.Should().BeOneOf(attack.Allowed, $"{attack.Name}: {result.Error?.Type}: {result.Error?.Message} {result.Stderr}");
        if (attack.ErrorType is not null)
            result.Error!.Type.Should().Be(attack.ErrorType, result.Error.Message);
        if (attack.Value is not null)
            result.Value!.ToJsonString().Should().Be(attack.Value);
        if (attack.NotInOutput is not null)
            (result.Stdout + result.Stderr).Should().NotContain(attack.NotInOutput);
        if (result.Status == RunStatus.TimeLimitExceeded)
            result.WallMs.Should().BeLessThan(limits.WallMs * 4 + 2000, "the wall clock ends the run (time spent waiting for a CPU on a busy machine does not count, up to 4x)");

        var next = await fx.Run("x = 41\n", "x + 1");
        next.Status.Should().Be(RunStatus.Ok, "the host still serves after: " + attack.Name);
        next.Value!.ToJsonString().Should().Be("42");
    }
}
