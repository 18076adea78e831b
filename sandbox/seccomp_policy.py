"""The seccomp policy (libseccomp via ctypes): an allow-list, in two filters that stack.

The zygote loads the first filter before it clones any spare, so every child inherits it. Its default action
refuses (EPERM): only the syscalls in ALLOW (and ZYGOTE_ONLY, which the zygote and a spare still need) get through,
several of them only with arguments checked here (no shared mappings, no signal routing through fcntl/ioctl,
scheduling, priority and limits of the caller only, signals to a pid rather than a group). clone3 gets ENOSYS so
glibc falls back to clone; a syscall of any other ABI (i386 via int 0x80, x32 numbers) kills the process.

Each child adds the second filter as its last step before candidate code. Its default action allows (the zygote's
filter still refuses everything else: the kernel applies the most restrictive result of the two), and it only
narrows what depends on the child's own pid or what only the zygote needs: CHILD_REFUSES. A small per-child
program is what keeps loading it cheap (the kernel checks and compiles every program it is given); it is
generated once in the zygote with a placeholder pid that each child overwrites with its own.

Run as a script: `--markdown` prints the allow-list table of sandbox/README.md, `--json` the policy's data (the
syscall sweep in the tests reads it, so the list lives here only).
"""
import ctypes
import errno
import json
import os
import socket
import sys

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_KILL_PROCESS = 0x80000000
SCMP_FLTATR_ACT_BADARCH, SCMP_FLTATR_CTL_OPTIMIZE = 2, 4
SCMP_CMP_NE, SCMP_CMP_MASKED_EQ = 1, 7
NATIVE_ARCHES = {0xC000003E: "x86_64", 0xC00000B7: "aarch64"}

# The filter is generated once, in the zygote, with this stand-in for the child's pid; each child patches the
# immediates of the comparisons and loads the finished program, so no child spends time generating BPF.
PID_PLACEHOLDER = 0x7FFFFFFE

# Constants of the arguments checked below (the same on x86-64 and aarch64).
CLONE_THREAD, CLONE_VFORK, CLONE_PTRACE, CLONE_UNTRACED, CLONE_PIDFD = 0x00010000, 0x4000, 0x2000, 0x00800000, 0x1000
CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x02000000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_IO = 0x10000000, 0x20000000, 0x40000000, 0x80000000
CLONE_REFUSED = (CLONE_VFORK | CLONE_PTRACE | CLONE_UNTRACED | CLONE_PIDFD | CLONE_NEWNS | CLONE_NEWCGROUP
                 | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_IO)
MAP_TYPE, MAP_PRIVATE = 0x0F, 0x02
O_ASYNC = 0x2000
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC, F_GETPIPE_SZ = 0, 1, 2, 3, 4, 1030, 1032
TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX = 0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451
PRIO_PROCESS, IOPRIO_WHO_PROCESS = 0, 1
PR_SET_PDEATHSIG, PR_GET_SECCOMP, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 1, 21, 22, 38, 39
SECCOMP_MODE_FILTER = 2
AF_UNIX = 1
LOW32 = 0xFFFFFFFF


def arg_is(index, value):
    """The argument equals value as the kernel reads it: an int, the low 32 bits of the register (a value with high
    bits set that the kernel would read as `value` is treated as `value`, not let through as something else)."""
    return (index, SCMP_CMP_MASKED_EQ, LOW32, value)


def bits_clear(index, mask):
    return (index, SCMP_CMP_MASKED_EQ, mask, 0)


def bits_equal(index, mask, value):
    return (index, SCMP_CMP_MASKED_EQ, mask, value)


def differs(index, value):
    """The whole 64-bit argument differs from value (so high bits set on the right value count as different)."""
    return (index, SCMP_CMP_NE, value, 0)


ANY = None  # allowed with any arguments


class Only:
    """Allowed (or, in CHILD_REFUSES, refused) only when one of the alternatives holds; each alternative is a tuple
    of comparisons on distinct arguments that must all hold (libseccomp takes one comparison per argument)."""

    def __init__(self, text, *alternatives):
        self.text = text
        self.alternatives = alternatives


SELF_ONLY = Only("pid 0 (the caller) only", (arg_is(0, 0),))
# Zero would be the caller's process group, a negative pid a group or everyone: refused here; the child's filter
# then refuses every pid but its own.
A_PID = Only("a pid (not a group, not -1); the child's filter: its own pid only", (bits_clear(0, 0x80000000),))
# clockid 0-15 are the system clocks; negative ids are CPU clocks of a given process or thread.
SYSTEM_CLOCK = Only("system clocks (0-15), not another process's CPU clock", (bits_clear(0, LOW32 & ~0xF),))

# The allow-list: (why, {syscall: ANY or Only(...)}). Every child runs under it; the zygote too, plus ZYGOTE_ONLY.
ALLOW = (
    ("Memory of the interpreter: heap, thread stacks, extension modules. Private mappings only: shared ones escape "
     "RLIMIT_DATA", {
         "brk": ANY, "munmap": ANY, "mremap": ANY, "mprotect": ANY, "madvise": ANY, "msync": ANY,
         "mmap": Only("MAP_PRIVATE only", (bits_equal(3, MAP_TYPE, MAP_PRIVATE),)),
     }),
    ("I/O on the descriptors it holds (its pipes, /dev/null, files it opened)", dict.fromkeys((
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
        "lseek", "close", "close_range", "dup", "dup2", "dup3"), ANY)),
    ("Files: imports, /usr, /proc/self (the jail's file system is read-only; the legacy forms are the same calls)",
     dict.fromkeys((
         "open", "openat", "newfstatat", "fstat", "stat", "lstat", "statx", "access", "faccessat", "faccessat2",
         "readlink", "readlinkat", "getdents64", "getcwd", "chdir", "fchdir", "statfs", "fstatfs", "umask"), ANY)),
    ("Descriptor flags and the few terminal/pipe queries CPython makes (isatty, get_terminal_size, set_inheritable, "
     "set_blocking); nothing that routes signals (F_SETOWN, F_SETOWN_EX, F_SETSIG, O_ASYNC, FIOASYNC, FIOSETOWN, "
     "SIOCSPGRP), injects input (TIOCSTI), takes leases or notifications, or resizes pipes", {
         "fcntl": Only(
             "F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_GETPIPE_SZ; F_SETFL without O_ASYNC",
             *[(arg_is(1, cmd),) for cmd in (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_GETPIPE_SZ)],
             (arg_is(1, F_SETFL), bits_clear(2, O_ASYNC))),
         "ioctl": Only(
             "TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX",
             *[(arg_is(1, request),) for request in (TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX)]),
     }),
    ("Pipes, event loops and waiting on descriptors (asyncio, selectors, select, poll, os.eventfd)", dict.fromkeys((
        "pipe", "pipe2", "eventfd", "eventfd2", "select", "pselect6", "poll", "ppoll", "epoll_create",
        "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2"), ANY)),
    ("Threads. The zygote clones its spares with clone too; each child's filter refuses clone without "
     "CLONE_THREAD (a new process), and clone3 gets ENOSYS", {
         "clone": Only("no namespaces, vfork, tracing, pidfd or shared I/O context", (bits_clear(0, CLONE_REFUSED),)),
         "futex": ANY, "set_robust_list": ANY, "rseq": ANY, "sched_yield": ANY, "gettid": ANY, "exit": ANY,
         "exit_group": ANY,
     }),
    ("Signals within its own process: handlers, masks, waiting, timers, raise/os.kill/pthread_kill to itself", {
        **dict.fromkeys((
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait", "rt_sigsuspend",
            "sigaltstack", "pause", "restart_syscall", "alarm", "getitimer", "setitimer"), ANY),
        **dict.fromkeys(("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"), A_PID),
    }),
    ("Time and resource usage", {
        "clock_gettime": SYSTEM_CLOCK, "clock_getres": SYSTEM_CLOCK, "clock_nanosleep": SYSTEM_CLOCK,
        "gettimeofday": ANY, "time": ANY, "nanosleep": ANY, "times": ANY, "getrusage": ANY,
    }),
    ("Randomness (os.urandom, random's seed, hash randomisation)", {"getrandom": ANY}),
    ("Who and where it is (read-only)", dict.fromkeys((
        "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
        "getpgrp", "uname", "sysinfo", "getcpu"), ANY)),
    ("Scheduling, priority, I/O priority and limits of the caller only (pid or who 0, PRIO_PROCESS, "
     "IOPRIO_WHO_PROCESS): os.sched_getaffinity(0), os.cpu_count, os.getpriority, resource.getrlimit", {
         **dict.fromkeys((
             "sched_getaffinity", "sched_setaffinity", "sched_getscheduler", "sched_setscheduler", "sched_getparam",
             "sched_setparam", "sched_getattr", "sched_setattr", "sched_rr_get_interval", "prlimit64"), SELF_ONLY),
         "sched_get_priority_max": ANY, "sched_get_priority_min": ANY,
         "getpriority": Only("PRIO_PROCESS of itself", (arg_is(0, PRIO_PROCESS), arg_is(1, 0))),
         "setpriority": Only("PRIO_PROCESS of itself", (arg_is(0, PRIO_PROCESS), arg_is(1, 0))),
         "ioprio_get": Only("IOPRIO_WHO_PROCESS of itself", (arg_is(0, IOPRIO_WHO_PROCESS), arg_is(1, 0))),
         "ioprio_set": Only("IOPRIO_WHO_PROCESS of itself", (arg_is(0, IOPRIO_WHO_PROCESS), arg_is(1, 0))),
     }),
    ("The harness's own set-up: the spare's death signal, loading the child's filter and checking it", {
        "prctl": Only("PR_SET_PDEATHSIG, PR_SET_SECCOMP (filter mode), PR_GET_SECCOMP, PR_GET_NO_NEW_PRIVS",
                      (arg_is(0, PR_SET_PDEATHSIG),), (arg_is(0, PR_SET_SECCOMP), arg_is(1, SECCOMP_MODE_FILTER)),
                      (arg_is(0, PR_GET_SECCOMP),), (arg_is(0, PR_GET_NO_NEW_PRIVS),)),
    }),
)

# Allowed by the zygote's filter only, refused by every child's: the zygote makes a socket pair per spare and
# sends the host its end (SCM_RIGHTS); a spare learns its socket's type and receives its run's descriptors, starts a
# session of its own (so its CPU-share autogroup is its own), and switches to its run's uid before its own filter.
ZYGOTE_ONLY = (
    ("The zygote's and the spare's sockets, the spare's own session, the switch to a run's uid", {
        "socketpair": Only("AF_UNIX", (arg_is(0, AF_UNIX),)),
        "sendmsg": ANY, "recvmsg": ANY, "getsockname": ANY, "getsockopt": ANY,
        "setsid": ANY, "setresuid": ANY, "setresgid": ANY,
    }),
)

# What each child's own filter refuses on top (default: allow). `differs(0, PID_PLACEHOLDER)` is patched with the
# child's pid: signals reach its own process only (kill(0) and the rest of the group are refused too).
OTHER_THAN_ITSELF = Only("any pid but its own", (differs(0, PID_PLACEHOLDER),))
CHILD_REFUSES = {
    "clone": Only("a new process (no CLONE_THREAD)", (bits_clear(0, CLONE_THREAD),)),
    **dict.fromkeys(("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"), OTHER_THAN_ITSELF),
    "prlimit64": Only("setting a limit", (differs(2, 0),)),
    "prctl": Only("PR_SET_SECCOMP, PR_SET_PDEATHSIG", (arg_is(0, PR_SET_SECCOMP),), (arg_is(0, PR_SET_PDEATHSIG),)),
    **{name: ANY for _, group in ZYGOTE_ONLY for name in group},
}

# ENOSYS rather than EPERM: glibc's pthread_create and fork try clone3 first and fall back to clone only then.
ENOSYS_INSTEAD = ("clone3",)

# The allowed syscalls that name a process, a process group or a user, and which argument does (the tests call each
# with other processes' pids). Every other syscall that can (ptrace, process_vm_*, pidfd_*, kcmp, waitid, wait4,
# getpgid, setpgid, getsid, get_robust_list, migrate_pages, move_pages, perf_event_open, timer_create,
# mq_notify, process_madvise, process_mrelease, setuid and the rest) is refused outright.
NAMES_A_PROCESS = {
    "kill": 0, "tkill": 0, "tgkill": 0, "rt_sigqueueinfo": 0, "rt_tgsigqueueinfo": 0,
    "sched_getaffinity": 0, "sched_setaffinity": 0, "sched_getscheduler": 0, "sched_setscheduler": 0,
    "sched_getparam": 0, "sched_setparam": 0, "sched_getattr": 0, "sched_setattr": 0, "sched_rr_get_interval": 0,
    "prlimit64": 0, "getpriority": 1, "setpriority": 1, "ioprio_get": 1, "ioprio_set": 1,
    "clock_gettime": 0, "clock_getres": 0, "clock_nanosleep": 0,
}

# x86-64 syscalls the kernel (6.14+) lets through without consulting seccomp at all: they only work from a uprobe
# trampoline and otherwise fail (uprobe: ENXIO) or kill the caller (uretprobe: SIGILL).
SECCOMP_PASSTHROUGH = {"uretprobe": 335, "uprobe": 336}


def allowed_names():
    """Every syscall the zygote's filter lets through in some form (ALLOW and ZYGOTE_ONLY), with its rule."""
    rules = {}
    for _, group in ALLOW + ZYGOTE_ONLY:
        for name, rule in group.items():
            if name in rules:
                raise ValueError("seccomp: %s is listed twice" % name)
            rules[name] = rule
    return rules


def _check_tables():
    rules = allowed_names()
    for name in CHILD_REFUSES:
        if name not in rules:
            raise ValueError("seccomp: the child's filter narrows %s, which the zygote's does not allow" % name)
    for name, index in NAMES_A_PROCESS.items():
        zygote_rule, child_rule = rules.get(name), CHILD_REFUSES.get(name)
        checked = [c[0] for rule in (zygote_rule, child_rule) if isinstance(rule, Only)
                   for alternative in rule.alternatives for c in alternative]
        if index not in checked:
            raise ValueError("seccomp: %s names a process in argument %d, which no rule checks" % (name, index))


_check_tables()


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


BPF_JMP, BPF_JEQ, BPF_K = 0x05, 0x10, 0x00

_lib = None
_numbers = {}
_program = None  # the child's exported BPF (bytearray) and the offsets of the pid immediates in it
_zygote_program = None
_pid_offsets = ()
_child_fprog = None
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _load_libseccomp():
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(_ArgCmp)]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_arch_native.restype = ctypes.c_uint32
    arch = lib.seccomp_arch_native()
    if arch not in NATIVE_ARCHES:
        raise RuntimeError("seccomp: unsupported architecture 0x%x" % arch)
    return lib


def _resolve(lib, names):
    numbers = {}
    for name in names:
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        if nr >= 0:  # a legacy call this architecture does not have (aarch64: open, stat, pipe, ...)
            numbers[name] = nr
    return numbers


def prepare():
    """In the zygote: load libseccomp, check the architecture, generate both filters once."""
    global _lib, _program, _pid_offsets, _zygote_program
    lib = _load_libseccomp()
    _numbers.update(_resolve(lib, list(allowed_names()) + list(ENOSYS_INSTEAD) + ["socket", "getsid"]))
    _lib = lib
    _zygote_program = bytearray(_export(_build_zygote()))
    program = _export(_build_child())
    offsets = []
    for offset in range(0, len(program), 8):
        code = int.from_bytes(program[offset:offset + 2], "little")
        k = int.from_bytes(program[offset + 4:offset + 8], "little")
        if k == PID_PLACEHOLDER:
            if code != BPF_JMP | BPF_JEQ | BPF_K:
                raise RuntimeError("seccomp: unexpected use of the pid placeholder in the filter")
            offsets.append(offset + 4)
    if not offsets:  # libseccomp may share one comparison block among the signal syscalls, but not drop it
        raise RuntimeError("seccomp: the pid comparisons were not found in the filter")
    _program, _pid_offsets = bytearray(program), tuple(offsets)


def _new_filter(default_action):
    ctx = _lib.seccomp_init(default_action)
    if not ctx:
        raise OSError("seccomp_init failed")
    try:
        _check(_lib.seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "badarch")
        # A binary tree over syscall numbers: the calls whose arguments are checked (mmap, fcntl, ioctl, ...) are
        # not in the kernel's allow cache and run the filter each time.
        _check(_lib.seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), "optimize")
    except BaseException:
        _lib.seccomp_release(ctx)
        raise
    return ctx


def _add(ctx, action, name, rule):
    if name not in _numbers:
        return
    if rule is ANY:
        _rule(ctx, action, name)
    else:
        for alternative in rule.alternatives:
            _rule(ctx, action, name, *alternative)


def _build_zygote():
    ctx = _new_filter(_errno_action(errno.EPERM))
    try:
        for name, rule in allowed_names().items():
            _add(ctx, SCMP_ACT_ALLOW, name, rule)
        for name in ENOSYS_INSTEAD:
            _rule(ctx, _errno_action(errno.ENOSYS), name)
        return ctx
    except BaseException:
        _lib.seccomp_release(ctx)
        raise


def _build_child():
    ctx = _new_filter(SCMP_ACT_ALLOW)
    try:
        for name, rule in CHILD_REFUSES.items():
            _add(ctx, _errno_action(errno.EPERM), name, rule)
        return ctx
    except BaseException:
        _lib.seccomp_release(ctx)
        raise


def _errno_action(code):
    return 0x00050000 | (code & 0xFFFF)


def _export(ctx):
    read_end, write_end = os.pipe()
    try:
        _check(_lib.seccomp_export_bpf(ctx, write_end), "export")
        os.close(write_end)
        write_end = -1
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        _lib.seccomp_release(ctx)
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


def load_zygote():
    """In the zygote (no_new_privs already set): the filter every child inherits. Raises on failure."""
    global _child_fprog
    _install(_fprog(_zygote_program))
    # The child's program is handed to the kernel from here; a child only writes its pid into it.
    _child_fprog = _fprog(_program)


def prepare_child(own_pid):
    """In a child, ahead of load(): its pid written into the per-child program."""
    program = _program
    pid = own_pid.to_bytes(4, "little")
    for offset in _pid_offsets:
        program[offset:offset + 4] = pid


def load(own_pid):
    """In a child: the per-child filter with this pid, loaded on top of the zygote's. Raises on failure."""
    prepare_child(own_pid)
    _install(_child_fprog)


def _fprog(program):
    """A sock_fprog over the bytes of `program`, a bytearray never resized (so their address holds)."""
    buffer = (ctypes.c_char * len(program)).from_buffer(program)
    return _SockFprog(len(program) // 8, ctypes.addressof(buffer))


def _install(fprog):
    if _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp: loading the filter failed")


def _rule(ctx, action, name, *cmps):
    array = (_ArgCmp * max(1, len(cmps)))(*[_ArgCmp(*c) for c in cmps])
    _check(_lib.seccomp_rule_add_array(ctx, action, _numbers[name], len(cmps), array), name)


def _check(rc, what):
    if rc != 0:
        raise OSError(-rc, "seccomp %s failed" % what)


def active():
    """True when no_new_privs is set and a seccomp filter is in force. The child calls it after load() succeeded;
    that the zygote's filter refuses what it should is checked once, in the zygote (zygote_filter_works)."""
    return _libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 and _libc.prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2


def zygote_filter_works():
    """In the zygote, right after load_zygote(): a new socket and a call outside the list (getsid) are refused."""
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).close()
        return False
    except PermissionError:
        pass
    if _libc.syscall(ctypes.c_long(_numbers["getsid"]), ctypes.c_long(0)) != -1 or ctypes.get_errno() != errno.EPERM:
        return False
    return active()


def _describe_rule(rule):
    return "any" if rule is ANY else rule.text


def markdown():
    """The allow-list as the tables in sandbox/README.md (a test checks they match)."""
    lines = ["| why | allowed (with the arguments checked) |", "| --- | --- |"]
    for groups, where in ((ALLOW, ""), (ZYGOTE_ONLY, " (zygote and spare only: every child's filter refuses them)")):
        for why, group in groups:
            lines.append("| %s%s | %s |" % (why, where, _names_by_rule(group.items())))
    lines += ["", "| each child's own filter also refuses | when |", "| --- | --- |"]
    by_text = {}
    for name, rule in CHILD_REFUSES.items():
        by_text.setdefault("always" if rule is ANY else rule.text, []).append(name)
    for text, names in by_text.items():
        lines.append("| %s | %s |" % (", ".join("`%s`" % n for n in names), text))
    return "\n".join(lines) + "\n"


def _names_by_rule(items):
    by_text = {}
    for name, rule in items:
        by_text.setdefault(None if rule is ANY else rule.text, []).append(name)
    parts = []
    for text, names in by_text.items():
        listed = ", ".join("`%s`" % n for n in names)
        parts.append(listed if text is None else "%s: %s" % (listed, text))
    return "; ".join(parts)


def describe():
    """The policy's data for the tests: syscall numbers of this architecture, what is allowed and how."""
    lib = _load_libseccomp()
    rules = allowed_names()
    numbers = _resolve(lib, list(rules) + list(ENOSYS_INSTEAD))
    arch = NATIVE_ARCHES[lib.seccomp_arch_native()]
    refused_by_child = {n for n, r in CHILD_REFUSES.items() if r is ANY}
    prepare()
    candidate = {n: r for n, r in rules.items() if n in numbers and n not in refused_by_child}
    return {
        "arch": arch,
        # Allowed to candidate code with any arguments (the sweep skips these).
        "allowedAnyArguments": {n: numbers[n] for n, r in candidate.items() if r is ANY and n not in CHILD_REFUSES},
        # Allowed to candidate code only with some arguments (the sweep skips these; the argument tests attack them).
        "allowedWithArguments": {n: numbers[n] for n, r in candidate.items() if r is not ANY or n in CHILD_REFUSES},
        "zygoteOnly": {n: numbers[n] for n in sorted(refused_by_child) if n in numbers},
        "enosys": {n: numbers[n] for n in ENOSYS_INSTEAD if n in numbers},
        "namesAProcess": {n: {"number": numbers[n], "argument": i} for n, i in NAMES_A_PROCESS.items() if n in numbers},
        "seccompPassthrough": SECCOMP_PASSTHROUGH if arch == "x86_64" else {},
        "zygoteFilterInstructions": len(_zygote_program) // 8,
        "childFilterInstructions": len(_program) // 8,
    }

if __name__ == "__main__":
    if sys.argv[1:] == ["--markdown"]:
        sys.stdout.write(markdown())
    elif sys.argv[1:] == ["--json"]:
        print(json.dumps(describe(), indent=1, sort_keys=True))
    else:
        sys.exit("usage: seccomp_policy.py --markdown | --json")
