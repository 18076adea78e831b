"""Judge's harness: warms the host's interpreter once, runs the zygote, and runs in each child for one run's tests.

The host (the .NET process that embeds this interpreter) calls warm() once and start_zygote() once. The zygote
(see start_zygote) forks spare children on the host's request. A spare isolates itself (descriptors, rlimits,
seccomp), takes exactly one run's descriptors from the host (switching to the run's uid), reads its request from its
private request pipe (fd 3), and runs each test on a fresh module, announcing it on the progress pipe (fd 4) and
writing that test's result frame into the test's own pipe, then _exits. Neither the host nor the zygote reads a
run's pipes: candidate code, test data and results never pass through them.
"""
import bisect
import builtins
import ctypes
import fcntl
import gc
import io
import linecache
import math
import os
import random
import resource
import signal
import socket
import struct
import sys
import threading
import traceback

# Bound now: a candidate that patches the json module must not break (or steer) the result frame.
from json import dumps as _json_dumps, loads as _json_loads

import judge_values
import judge_vclock
import seccomp_policy

WARM_MODULES = (
    "abc", "array", "ast", "asyncio", "bisect", "collections", "collections.abc", "concurrent.futures", "contextlib",
    "copy", "dataclasses", "datetime", "decimal", "dis", "enum", "fractions", "functools", "heapq", "inspect",
    "itertools", "json", "keyword", "math", "numbers", "operator", "queue", "random", "re", "statistics", "string",
    "textwrap", "threading", "time", "timeit", "types", "typing", "unicodedata", "weakref",
)

# A run's descriptors in the child: 0 /dev/null, 1 and 2 the current test's stdout and stderr (pipes the pool reads
# after the exit), 3 the request (read), 4 the progress pipe (one byte per test started, read by the host), and from
# TEST_FDS on, three per test: its result frame, stdout and stderr.
REQUEST_FD, PROGRESS_FD, TEST_FDS = 3, 4, 10
MAX_TESTS = 32  # tests one child runs; more go to the next child
RUN_FDS = 2 + 3 * MAX_TESTS  # the most the host hands over: request, progress, and three per test
F_GETPIPE_SZ, FIONREAD = 1032, 0x541B
MAX_REQUEST = 16 * 1024 * 1024
MAX_MESSAGE = 4000
# Tasks (threads) of one run: its uid is its own, so the kernel counts only this run's.
MAX_TASKS = 128
THREAD_STACK = 1024 * 1024
CANDIDATE_FILE = "solution.py"
EXIT_HARNESS_FAILED, EXIT_NO_SECCOMP = 70, 72

PR_SET_PDEATHSIG, PR_GET_KEEPCAPS, PR_GET_SECUREBITS, PR_SET_NO_NEW_PRIVS = 1, 7, 27, 38

_libc = None


def warm():
    """Host start-up: import what candidates commonly use, prepare seccomp, then freeze the heap."""
    global _libc
    for name in WARM_MODULES:
        __import__(name)
    _libc = ctypes.CDLL(None, use_errno=True)
    seccomp_policy.prepare()
    # The standard library only: no site or dist-packages, not the harness directory.
    sys.path[:] = [p for p in sys.path if p.startswith(sys.base_prefix + "/lib/python") and "packages" not in p]
    # The streams every child writes to: fds 1 and 2 become its captures. Made here, empty, once.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace")
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace")
    gc.collect()
    gc.freeze()


def start_zygote(channel_fd, dotnet_paths):
    """Forks the zygote, the process every run child is forked from, and returns its pid (in the host).

    The zygote is this host with the .NET runtime's assemblies and JIT code unmapped and its signal handlers reset:
    nothing of .NET runs in it or in its children. It does once what is the same for every run (signals,
    descriptors, the bridge, the virtual clock, the first seccomp filter) and writes one byte on channel_fd (ready),
    then serves the host: each byte it reads there asks for one spare child, answered with the spare's pid and the host's end of the spare's private
    socket (SCM_RIGHTS). Spares are made with CLONE_PARENT, so they are the host's children: the host reaps them
    and measures their rusage itself, exactly as if it had forked them. Forking this smaller process, and the
    child's exit, cost less than forking the host.
    """
    pid = os.fork()  # from .NET: the runtime's own at-fork handlers still run, while it is mapped
    if pid != 0:
        return pid
    status = EXIT_HARNESS_FAILED
    try:
        _zygote(channel_fd, dotnet_paths)
        status = 0
    except BaseException:
        _report_harness_failure()
    finally:
        os._exit(status)


def _zygote(channel_fd, dotnet_paths):
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _keep_only_fds(channel_fd, 2)
    # .NET installed handlers for many signals; none of its code may run from now on. SigCgt lists the caught ones.
    for sig in _caught_signals():
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a closed pipe raises BrokenPipeError instead of killing
    signal.pthread_sigmask(signal.SIG_SETMASK, ())
    live = _pin_everything()
    doomed = _dotnet_mappings(dotnet_paths)
    for start, length in doomed:
        if (hit := _first_inside(live, start, start + length)) is not None:
            raise RuntimeError("zygote: a Python object (%s) lies in memory the .NET runtime owns" % hit)
    _unmap(doomed)
    sys.argv = [CANDIDATE_FILE]
    threading.stack_size(THREAD_STACK)
    _block_bridge()
    judge_vclock.install()
    _prepare_uid_switch()
    _BUILTINS.update(vars(builtins))  # what a test must leave in place for the next one in the same child
    gc.collect()
    gc.freeze()
    _libc.malloc_trim(0)  # free heap pages go back to the kernel: fewer pages for every fork to map
    # The first of the two seccomp filters, inherited by every child (the child adds its own before the candidate).
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    seccomp_policy.load_zygote()
    if not seccomp_policy.zygote_filter_works():
        raise RuntimeError("zygote: the seccomp filter is not in force")
    _serve(channel_fd)


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class _FdMessage(ctypes.Structure):
    """A cmsghdr carrying one descriptor (SCM_RIGHTS), padded to CMSG_SPACE(sizeof(int))."""
    _fields_ = [("len", ctypes.c_size_t), ("level", ctypes.c_int), ("type", ctypes.c_int), ("fd", ctypes.c_int),
                ("pad", ctypes.c_int)]


class _Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.c_void_p),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


def _serve(channel_fd):
    """The zygote's loop: one spare per byte read. Everything it uses is made once, before the first clone: each
    clone write-protects the zygote's memory, so every page the loop writes is a fault (and a copy while spares
    share it), and fewer objects per turn means fewer pages."""
    pair = (ctypes.c_int * 2)()
    pid_box = ctypes.c_int32()
    iov = _Iovec(ctypes.addressof(pid_box), 4)
    fd_message = _FdMessage(ctypes.sizeof(ctypes.c_size_t) + 8 + 4, socket.SOL_SOCKET, socket.SCM_RIGHTS, -1, 0)
    message = _Msghdr(None, 0, ctypes.addressof(iov), 1, ctypes.addressof(fd_message), ctypes.sizeof(fd_message), 0)
    message_ref = ctypes.byref(message)
    clone_args = _clone_arguments()
    os.write(channel_fd, b"R")  # ready
    while os.read(channel_fd, 1):
        if _libc.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET, 0, pair) != 0:
            raise OSError(ctypes.get_errno(), "socketpair failed")
        pid = _clone(clone_args)
        if pid == 0:
            status = EXIT_HARNESS_FAILED
            try:
                status = _spare(pair[1])
            except BaseException:
                _report_harness_failure()
            finally:
                os._exit(status)
        pid_box.value = pid
        fd_message.fd = pair[0]
        if _libc.sendmsg(channel_fd, message_ref, 0) != 4:
            raise OSError(ctypes.get_errno(), "sendmsg failed")
        os.close(pair[0])
        os.close(pair[1])


# clone(2): a new process whose parent is the zygote's parent (the host), with glibc's record of the thread id
# set the way fork sets it. Raw, because glibc's fork() would run .NET's at-fork handlers, which are unmapped.
CLONE_PARENT, CLONE_CHILD_SETTID = 0x00008000, 0x01000000
_CLONE = {"x86_64": (56, "flags, 0, 0, tid, 0"), "aarch64": (220, "flags, 0, 0, 0, tid")}
_TID_OFFSET = {"x86_64": 0x2D0, "aarch64": 0xD0}  # offsetof(struct pthread, tid) in glibc
_pylibc = None  # libc through PyDLL: the GIL stays held across clone, as os.fork holds it (nothing else runs)


def _clone_arguments():
    """The clone syscall's number and arguments for a sibling (a child of the host), as ctypes values, made once."""
    global _pylibc
    _pylibc = ctypes.PyDLL(None, use_errno=True)
    _pylibc.syscall.restype = ctypes.c_long
    _pylibc.pthread_self.restype = ctypes.c_void_p
    machine = os.uname().machine
    number, order = _CLONE[machine]
    flags = CLONE_PARENT | signal.SIGCHLD
    tid = 0
    self_tid = _pylibc.pthread_self() + _TID_OFFSET[machine]
    if ctypes.c_int.from_address(self_tid).value == threading.get_native_id():
        flags |= CLONE_CHILD_SETTID
        tid = self_tid
    args = {"flags": flags, "tid": tid}
    return (ctypes.c_long(number),) + tuple(ctypes.c_long(args.get(name.strip(), 0)) for name in order.split(","))


def _clone(args):
    """clone(2) of the zygote, which never has a second thread: no lock can be held by another thread at the moment
    of the clone, so the interpreter's before/after-fork steps (import lock, GIL and runtime locks recreated, and
    the Python hooks of threading, logging, concurrent.futures, random) have nothing to repair. Skipping them saves
    ~0.6 ms of a child's CPU (240 page faults); the one hook with an effect, random's fresh seed, the spare does
    itself."""
    pid = _pylibc.syscall(*args)
    if pid < 0:
        raise OSError(ctypes.get_errno(), "clone failed")
    return pid


def _report_harness_failure():
    # Before the candidate runs this is the harness's own failure; it goes to the run's stderr capture.
    try:
        traceback.print_exc()
        sys.stderr.flush()
    except BaseException:
        pass


def _keep_only_fds(*keep):
    last = -1
    for fd in sorted(keep):
        os.closerange(last + 1, fd)
        last = fd
    os.closerange(last + 1, 1 << 20)


def _spare(control_fd):
    """A spare child: does what no run decides (stdin, the fixed limits) while it waits for exactly one message
    carrying its run's descriptors (SCM_RIGHTS), then runs."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # A session of its own: the scheduler's autogroup (CPU share, /proc/self/autogroup) is per session, so what this
    # child's run does to its own cannot slow the host or any other run.
    os.setsid()
    _keep_only_fds(control_fd)
    null = os.open("/dev/null", os.O_RDONLY)
    for which, value in FIXED_LIMITS:
        resource.setrlimit(which, (value, value))  # soft = hard: nothing to raise later
    _rehearse()
    os.write(control_fd, b"r")  # ready: the host takes this child's size now as the baseline of its run's growth
    control = socket.socket(fileno=control_fd)
    message, fds, _, _ = socket.recv_fds(control, 64, RUN_FDS)
    control.close()
    if len(fds) < 5 or (len(fds) - 2) % 3 or len(message) != 4:
        return EXIT_HARNESS_FAILED  # the host went away, or sent something else
    try:
        _become(struct.unpack("<i", message)[0])
    except BaseException:
        os.dup2(fds[4], 2)  # the first test's stderr: the harness's own failure is reported where the pool reads it
        raise
    return _run(null, fds[0], fds[1], fds[2:])


def _prepare_uid_switch():
    """In the zygote, once: what every run's uid switch relies on. No supplementary group is inherited, and no
    securebit (SECBIT_KEEP_CAPS, SECBIT_NO_SETUID_FIXUP and the rest) or keep-capabilities flag is set, so the kernel
    clears every permitted and effective capability when a child's uids all leave 0. That is checked here, not after
    each switch: the check cost a child ~55 page faults (ctypes structures), and a fault is a copy of a page the
    zygote shares with every child."""
    os.setgroups([])
    if _libc.prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != 0 or _libc.prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 0:
        raise RuntimeError("zygote: a securebit or keep-capabilities is set: a uid switch would keep capabilities")
    if os.getgroups():
        raise RuntimeError("zygote: supplementary groups remain")


def _become(uid):
    """The run's own uid, given by the host: no other process in flight anywhere in the pool has it, so the kernel
    itself keeps this run's signals, /proc files, scheduling and per-uid budgets (RLIMIT_NPROC, pipe buffers) away from
    every other run, the zygote and the host. Leaving uid 0 of the host's user namespace drops every capability (see
    _prepare_uid_switch; RunIsolationTests reads a run's capability sets). The inheritable set bwrap gave the host may
    remain: it grants nothing without exec, which the filter refuses."""
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid):
        raise RuntimeError("the uid switch did not take")
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a change of credentials clears it


# What _rehearse runs: the shape of a typical test, nothing of any real run.
_REHEARSAL = {"code": "def f(a, b):\n    return a + b\n", "tests": [{"expr": "f(2, 3)"}], "timeMs": 1000, "memoryMb": 64}


def _rehearse():
    """Walks the run's own path once on a made-up request (decode, size, compile, run, encode). The pages it
    writes are the zygote's, shared until written; writing them now copies them while the spare waits, instead of
    while a caller waits for the run. No state is left that a run could see: the module dictionary, the value
    and the frame are garbage once this returns."""
    request = _json_loads(_json_dumps(_REHEARSAL))
    _vm_status()
    result = _execute(request, request["tests"][0])
    _json_dumps(result, ensure_ascii=False, allow_nan=False).encode("utf-8", "replace")
    seccomp_policy.prepare_child(os.getpid())


def _dotnet_mappings(dotnet_paths):
    """What the zygote drops: the .NET assemblies (mapped by the runtime, not by the dynamic linker), the JIT's
    executable memory (CPython makes none), and every shared mapping the child could make writable (writes to it
    would reach the host, whose memory it is). Native libraries stay: the dynamic linker still walks them when a
    module is imported. Other anonymous memory stays too: the runtime's is not told apart from glibc's (thread
    stacks it caches, for one), and unmapping those would break thread creation in a child."""
    doomed = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(maxsplit=5)
            perms, path = parts[1], (parts[5].strip() if len(parts) > 5 else "")
            start, end = (int(x, 16) for x in parts[0].split("-"))
            shared_writable = perms[3] == "s" and (
                "w" in perms or path.startswith("/memfd:") or path.endswith("(deleted)") or not path)
            assembly = path.startswith(tuple(dotnet_paths)) and path.endswith(".dll")
            jit_code = not path and perms[2] == "x"
            if shared_writable or assembly or jit_code:
                doomed.append((start, end - start))
    return doomed


def _unmap(mappings):
    for start, length in mappings:
        if _libc.munmap(ctypes.c_void_p(start), ctypes.c_size_t(length)) != 0:
            raise OSError(ctypes.get_errno(), "munmap failed")


_pinned = ()


def _pin_everything():
    """Keeps every object that exists now alive for good, and returns their addresses (sorted). Some of them are
    the bridge's, whose deallocation (or traversal) is .NET code: after the unmapping nothing may free them."""
    global _pinned
    gc.disable()
    gc.unfreeze()
    objects = gc.get_objects()
    gc.freeze()
    gc.enable()
    _pinned = objects
    addresses = {id(o) for o in objects}
    for obj in objects:
        addresses.add(id(type(obj)))
    return sorted(addresses)


def _first_inside(sorted_addresses, start, end):
    i = bisect.bisect_left(sorted_addresses, start)
    if i < len(sorted_addresses) and sorted_addresses[i] < end:
        return hex(sorted_addresses[i])
    return None


def _run(null, request_fd, progress_fd, test_fds):
    """Runs the request's tests in order, each on a fresh module, writing one result frame per test. Stops early, with
    the tests after it left to a fresh child, when a test leaves anything behind that a fresh module would not undo
    (threads still running, builtins changed, an escaping SystemExit or KeyboardInterrupt) or printed past the limit."""
    # Only /dev/null, the request, the progress pipe and the tests' pipes. The descriptors may arrive as 0-4 themselves
    # (a spare closed everything), so they move out of the way first.
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, TEST_FDS + len(test_fds)) for fd in (null, request_fd, progress_fd, *test_fds)]
    null, request_fd, progress_fd, test_fds = moved[0], moved[1], moved[2], moved[3:]
    os.dup2(null, 0)
    os.dup2(request_fd, REQUEST_FD)
    os.dup2(progress_fd, PROGRESS_FD)
    for i, fd in enumerate(test_fds):
        os.dup2(fd, TEST_FDS + i)
    os.dup2(TEST_FDS + 1, 1)
    os.dup2(TEST_FDS + 2, 2)
    os.closerange(TEST_FDS + len(test_fds), 1 << 20)

    request = _json_loads(_read_frame(REQUEST_FD, MAX_REQUEST))
    os.close(REQUEST_FD)
    _compiled.clear()  # the rehearsal's
    tests = request["tests"][: len(test_fds) // 3]
    _set_limits(request["timeMs"], request["memoryMb"], len(tests))
    output_limit = request.get("outputLimit") or (1 << 62)
    if request.get("args"):
        sys.argv = [CANDIDATE_FILE, *request["args"]]
    code = request["code"]
    linecache.cache[CANDIDATE_FILE] = (len(code), None, code.splitlines(True), CANDIDATE_FILE)

    seccomp_policy.load(os.getpid())
    if not seccomp_policy.active():
        _write_frame(TEST_FDS, {"kind": "internal_error", "message": "seccomp filter is not active"})
        return EXIT_NO_SECCOMP

    # What a test may leave for the next one is checked only when a next one runs in this child.
    memory = _MemoryWatch(request["memoryMb"]) if len(tests) > 1 else None
    for index, test in enumerate(tests):
        result_fd, out_fd, err_fd = TEST_FDS + 3 * index, TEST_FDS + 3 * index + 1, TEST_FDS + 3 * index + 2
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        _fresh_test_state(test)
        os.write(PROGRESS_FD, b"t")  # the host starts this test's clock
        result = _execute(request, test)
        sys.setrecursionlimit(1000)  # the candidate may have lowered it; encoding the frame needs the default
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        _write_frame(result_fd, result)
        if result["kind"] == "compile_error":
            return 0  # the same for every test: the pool applies it to all of them
        if index == len(tests) - 1:
            return 0
        stop = _left_behind(result, output_limit) or memory.spent(result)
        for fd in (result_fd, out_fd, err_fd):
            os.close(fd)
        if stop:
            return 0
    return 0


def _pending_bytes(fd):
    box = ctypes.c_int()
    return box.value if _libc.ioctl(fd, FIONREAD, ctypes.byref(box)) == 0 else 0


def _native_threads():
    """Threads of this process the kernel still lists; one that has just finished may linger for a moment."""
    for _ in range(3):
        count = len(os.listdir("/proc/self/task"))
        if count == 1:
            return 1
        os.sched_yield()
    return count


def _fresh_test_state(test):
    """What a test starts from, whatever the test before it did: captures of its own, its stdin, a fresh random seed and
    event loop on the virtual clock, the default recursion limit."""
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace")
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace")
    sys.stdin = sys.__stdin__ = io.StringIO(test.get("stdin") or "")
    sys.setrecursionlimit(1000)
    random.seed()
    judge_vclock.install()


class _MemoryWatch:
    """The memory limit holds for the child, and the host measures a test's memory as the child's peak: a test that
    used much of the limit, or left much of it in use, would leave the next test less than a fresh child has, or lend it
    its peak. So after such a test the child stops and the next test starts in a fresh one."""

    def __init__(self, memory_mb):
        self.limit = memory_mb * 1024 * 1024
        self.data = _vm_status()["VmData"]
        self.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def spent(self, result):
        error = result.get("error") or {}
        if "MemoryError" in error.get("bases", ()):
            return True
        if (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - self.peak_kb) * 1024 > self.limit // 8:
            return True
        if _vm_status()["VmData"] - self.data > self.limit // 8:
            gc.collect()  # the earlier tests' modules (functions and their globals are cycles) go only this way
            return _vm_status()["VmData"] - self.data > self.limit // 8
        return False


_BUILTINS = {}  # the builtins module's dictionary as the zygote left it (a child starts with the same)


def _left_behind(result, output_limit):
    """True when the next test must not run in this child: the test's error escaped as SystemExit/KeyboardInterrupt
    (or another BaseException that is not an Exception), it left threads running, changed builtins, or its output
    already passed the limit (the pool will say output_limit_exceeded)."""
    error = result.get("error") or {}
    if result["kind"] == "error" and "Exception" not in error.get("bases", ()):
        return True
    if any(_pending_bytes(fd) > output_limit for fd in (1, 2)):
        return True
    if threading.active_count() > 1 or _native_threads() > 1:
        return True
    current = vars(builtins)
    if current.keys() != _BUILTINS.keys() or any(current[k] is not v for k, v in _BUILTINS.items()):
        return True
    return False


def _caught_signals():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("SigCgt:"):
                mask = int(line.split()[1], 16)
                return [sig for sig in range(1, 65) if mask >> (sig - 1) & 1 and sig not in (signal.SIGKILL, signal.SIGSTOP)]
    return [sig for sig in signal.valid_signals() if sig not in (signal.SIGKILL, signal.SIGSTOP)]


# Limits no run decides, set by the spare while it waits. soft = hard throughout: nothing can be raised again.
FIXED_LIMITS = (
    (resource.RLIMIT_FSIZE, 1024 * 1024),
    (resource.RLIMIT_NOFILE, 64 + RUN_FDS),
    (resource.RLIMIT_CORE, 0),
    (resource.RLIMIT_NPROC, MAX_TASKS),
    (resource.RLIMIT_MEMLOCK, 0),
    (resource.RLIMIT_MSGQUEUE, 0),
)


def _set_limits(time_ms, memory_mb, tests=1):
    """The run's own limits, measured from the child's size once its request is read. The CPU limit is a backstop for
    all the tests together: the host holds each test to its own."""
    vm = _vm_status()
    growth = memory_mb * 1024 * 1024
    cpu_seconds = (math.ceil(time_ms / 1000) + 1) * tests
    limits = (
        (resource.RLIMIT_CPU, cpu_seconds),
        # Private writable memory (heap, thread stacks) relative to what the child already has.
        (resource.RLIMIT_DATA, vm["VmData"] + growth),
        # Everything mapped, shared mappings too; the .NET GC's reservation is already part of VmSize.
        (resource.RLIMIT_AS, vm["VmSize"] + growth + 64 * 1024 * 1024),
    )
    for which, value in limits:
        resource.setrlimit(which, (value, value))  # soft = hard: nothing to raise, SIGXCPU cannot buy time


def _vm_status():
    # statm: sizes in pages; "data" is VmData plus the stack (a little more headroom than VmData alone). Much
    # cheaper to produce than /proc/self/status.
    with open("/proc/self/statm", "rb") as f:
        fields = f.read().split()
    page = resource.getpagesize()
    return {"VmSize": int(fields[0]) * page, "VmData": int(fields[5]) * page}


class _BridgeBlocker:
    """Refuses the pythonnet bridge and the harness's own modules to candidate imports (both stay reachable through
    memory, which is expected: patching the harness can only change this run's own reported value)."""

    BLOCKED = ("clr", "clr_loader", "pythonnet", "Python", "System", "Microsoft",
               "harness", "judge_values", "judge_vclock", "seccomp_policy")

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.BLOCKED:
            raise ImportError("module %r is not available in the sandbox" % name)
        return None


def _block_bridge():
    for name in list(sys.modules):
        if name.split(".")[0] in _BridgeBlocker.BLOCKED:
            del sys.modules[name]
    standard = ("_frozen_importlib", "_frozen_importlib_external", "importlib._bootstrap", "importlib._bootstrap_external")
    sys.meta_path[:] = [_BridgeBlocker()] + [f for f in sys.meta_path if getattr(f, "__module__", "") in standard]


_compiled = {}


def _execute(request, test):
    """One test on a fresh module: the candidate's code (compiled once per child), then the test's setup and
    expression in its globals."""
    code = request["code"]
    script = request.get("mode") == "script"
    module = {"__name__": "__main__" if script else "solution", "__file__": CANDIDATE_FILE, "__builtins__": builtins}
    try:
        compiled = _compiled.get(code) or _compiled.setdefault(code, compile(code, CANDIDATE_FILE, "exec", dont_inherit=True))
    except (SyntaxError, ValueError) as e:
        return {"kind": "compile_error", "error": _syntax_error(e)}
    try:
        try:
            exec(compiled, module)
        except SystemExit as e:
            if not (script and e.code in (None, 0)):
                raise
        if script:
            return {"kind": "value", "value": None}
        module["__source__"] = code
        setup, expr = test.get("setup"), test.get("expr")
        if setup:
            exec(compile(setup, "<setup>", "exec", dont_inherit=True), module)
        value = eval(compile(expr, "<test>", "eval", dont_inherit=True), module) if expr else None
    except BaseException as e:  # noqa: B036 - SystemExit, KeyboardInterrupt and friends are results too
        return {"kind": "error", "error": _describe(e)}
    return {"kind": "value", "value": judge_values.encode(value)}


# Bounds of an error description (the trusted side cuts to the same sizes whatever a frame claims).
MAX_NAME = 200
MAX_BASES = 64
MAX_FRAMES = 50  # traceback frames shown: the first and the last ones
MAX_SOURCE_LINE = 200
MAX_TRACEBACK = 16_000


def _type_name(cls):
    # Through type's own descriptors: a metaclass cannot lie about the name. A class can be named anything, of any
    # length (type("E" * 2_000_000, ...)): cut, so the description always fits its frame.
    return _cut(type.__dict__["__qualname__"].__get__(cls), MAX_NAME)


def _cut(text, limit):
    if type(text) is not str:
        return "?"
    return text if len(text) <= limit else text[:max(limit - 3, 0)] + "..."[:limit]


_traceback_of = BaseException.__dict__["__traceback__"].__get__


def _describe(e):
    cls = type(e)
    mro = type.__dict__["__mro__"].__get__(cls)
    frames = []
    tb = _traceback_of(e)  # not e.__traceback__, which the exception's class could redefine
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == CANDIDATE_FILE:
            frames.append((tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    message = _safe_str(e)
    name = _type_name(cls)
    lines = ["Traceback (most recent call last):"]
    shown = frames
    if len(frames) > MAX_FRAMES:
        head = MAX_FRAMES // 5
        shown = frames[:head] + [None] + frames[-(MAX_FRAMES - head):]
    for frame in shown:
        if frame is None:
            lines.append("  [... %d frames not shown ...]" % (len(frames) - MAX_FRAMES))
            continue
        lineno, func = frame
        lines.append('  File "%s", line %d, in %s' % (CANDIDATE_FILE, lineno, _cut(func, MAX_NAME)))
        source = linecache.getline(CANDIDATE_FILE, lineno).strip()
        if source:
            lines.append("    " + _cut(source, MAX_SOURCE_LINE))
    lines.append("%s: %s" % (name, message) if message else name)
    text = "\n".join(lines)
    if len(text) > MAX_TRACEBACK:  # the last lines say the most: keep them
        text = "..." + text[-(MAX_TRACEBACK - 3):]
    return {
        "type": name,
        "message": message,
        "line": frames[-1][0] if frames else None,
        "traceback": text,
        "bases": [_type_name(c) for c in mro[:MAX_BASES] if c is not object],
    }


def _safe_str(e):
    try:
        text = str(e)  # may run the candidate's __str__: still inside the sandbox, under its limits
    except BaseException:
        return "<exception str() failed>"
    if type(text) is not str:
        return "<exception str() returned a non-string>"
    return text[:MAX_MESSAGE]


def _syntax_error(e):
    if isinstance(e, SyntaxError):
        return {"type": "SyntaxError", "message": _cut(str(e.msg), MAX_MESSAGE), "line": e.lineno, "column": e.offset,
                "traceback": "", "bases": ["SyntaxError", "Exception", "BaseException"]}
    return {"type": type(e).__name__, "message": str(e)[:MAX_MESSAGE], "line": None, "traceback": "",
            "bases": [type(e).__name__, "Exception", "BaseException"]}


def _read_frame(fd, limit):
    header = _read_exact(fd, 4)
    (length,) = struct.unpack(">I", header)
    if length > limit:
        raise ValueError("request too large")
    return _read_exact(fd, length)


def _read_exact(fd, n):
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("request pipe closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _write_frame(fd, obj):
    """One frame into the result pipe, which the pool reads only after the exit: it must fit in the pipe's buffer
    (the write end is non-blocking; the candidate may even have shrunk it). A value too large for it is sent as an
    unrepresentable marker instead; an error keeps its kind (a run that raised never becomes a run that returned),
    its description cut further."""
    capacity = fcntl.fcntl(fd, F_GETPIPE_SZ) - 4
    data = _encode_frame(obj)
    if len(data) > capacity and obj.get("kind") == "value":
        data = _encode_frame({"kind": "value", "value": {"$unrepresentable": "value", "reason": "too large"}})
    for keep in (1000, 0):
        if len(data) <= capacity:
            break
        data = _encode_frame(_shrunk(obj, keep))
    view = memoryview(struct.pack(">I", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _shrunk(obj, keep):
    """An error or internal-error frame with its texts cut to `keep` characters (and fewer bases)."""
    obj = dict(obj)
    if "message" in obj:
        obj["message"] = _cut(obj["message"], keep)
    error = obj.get("error")
    if type(error) is dict:
        obj["error"] = dict(error, type=_cut(error.get("type"), MAX_NAME), message=_cut(error.get("message"), keep),
                            traceback=_cut(error.get("traceback"), keep),
                            bases=[_cut(b, MAX_NAME) for b in (error.get("bases") or [])[:keep // 125]])
    return obj


def _encode_frame(obj):
    # Lone surrogates (in an exception message, say) cannot travel as UTF-8: they become U+FFFD.
    return _json_dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8", "replace")
