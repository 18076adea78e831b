"""The seccomp policy (libseccomp via ctypes), in two filters that stack.

The zygote loads the first one before it forks any child, so every child inherits it: new programs, sockets,
namespaces, tracing, shared memory and the rest of DENY below. Each child adds the second, small one as its last
step before candidate code: no new processes (clone without CLONE_THREAD), no socket pairs, no raising or setting
limits, signals only to itself. A small per-child program is what makes loading it cheap (the kernel checks and
compiles every program it is given). Default: allow; refused calls fail with EPERM (clone3 with ENOSYS, so glibc
falls back to clone, which is then checked on its flags). Syscalls of any other architecture (i386 via int 0x80,
x32) kill the process.
"""
import ctypes
import errno
import os
import socket

# Refused in the zygote and all its children: new programs and processes, sockets, namespaces and mounts, tracing
# other processes, kernel keyrings, bpf, io_uring, userfaultfd, shared memory that escapes RLIMIT_DATA, privileges.
DENY = """
    fork vfork execve execveat
    socket connect bind listen accept accept4
    tkill pidfd_open pidfd_send_signal pidfd_getfd
    ptrace process_vm_readv process_vm_writev process_madvise kcmp
    mount umount2 unshare setns pivot_root chroot move_mount open_tree fsopen fsmount fsconfig fspick mount_setattr
    keyctl add_key request_key bpf perf_event_open userfaultfd
    io_uring_setup io_uring_enter io_uring_register
    memfd_create memfd_secret shmget shmat shmctl shmdt msgget msgsnd msgrcv msgctl semget semop semtimedop semctl
    mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr
    personality init_module finit_module delete_module kexec_load kexec_file_load reboot
    swapon swapoff acct quotactl syslog vhangup iopl ioperm
    name_to_handle_at open_by_handle_at settimeofday clock_settime adjtimex clock_adjtime
    setuid setgid setreuid setregid setfsuid setfsgid capset
""".split()

# Refused in each child only: the zygote itself makes socket pairs (one per spare), spares set their limits and switch
# to their run's uid before the child's filter is loaded.
CHILD_DENY = ("socketpair", "setrlimit", "setresuid", "setresgid", "setgroups")

# Refused unless aimed at the child itself (first argument must equal its pid).
SIGNAL_SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")

CLONE_THREAD = 0x00010000
MAP_SHARED = 0x01

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_KILL_PROCESS = 0x80000000
SCMP_FLTATR_ACT_BADARCH = 2
SCMP_CMP_NE, SCMP_CMP_MASKED_EQ = 1, 7
NATIVE_ARCHES = {0xC000003E: "x86_64", 0xC00000B7: "aarch64"}


def _errno_action(code):
    return 0x00050000 | (code & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


# The filter is generated once, in the zygote, with this stand-in for the child's pid; each child patches the
# immediates of the comparisons and loads the finished program, so no child spends time generating BPF.
PID_PLACEHOLDER = 0x7FFFFFFE
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
PR_GET_SECCOMP, PR_GET_NO_NEW_PRIVS = 21, 39
BPF_JMP, BPF_JEQ, BPF_K = 0x05, 0x10, 0x00

_lib = None
_numbers = {}
_program = None  # the child's exported BPF (bytearray) and the offsets of the pid immediates in it
_zygote_program = None
_pid_offsets = ()
_libc = ctypes.CDLL(None, use_errno=True)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def prepare():
    """In the zygote: load libseccomp, check the architecture, generate the filter once."""
    global _lib, _program, _pid_offsets
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
    for name in DENY + list(CHILD_DENY) + list(SIGNAL_SELF_ONLY) + ["clone", "clone3", "prlimit64", "mmap"]:
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        if nr >= 0:
            _numbers[name] = nr
    _lib = lib
    global _zygote_program
    _zygote_program = bytearray(_export(_build_zygote()))
    program = _export(_build_child(PID_PLACEHOLDER))
    offsets = []
    for offset in range(0, len(program), 8):
        code = int.from_bytes(program[offset:offset + 2], "little")
        k = int.from_bytes(program[offset + 4:offset + 8], "little")
        if k == PID_PLACEHOLDER:
            if code != BPF_JMP | BPF_JEQ | BPF_K:
                raise RuntimeError("seccomp: unexpected use of the pid placeholder in the filter")
            offsets.append(offset + 4)
    if not offsets:  # libseccomp shares one comparison block among the signal syscalls
        raise RuntimeError("seccomp: the pid comparisons were not found in the filter")
    _program, _pid_offsets = bytearray(program), tuple(offsets)


def _new_filter():
    ctx = _lib.seccomp_init(SCMP_ACT_ALLOW)
    if not ctx:
        raise OSError("seccomp_init failed")
    try:
        _check(_lib.seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "badarch")
    except BaseException:
        _lib.seccomp_release(ctx)
        raise
    return ctx


def _build_zygote():
    ctx = _new_filter()
    try:
        eperm = _errno_action(errno.EPERM)
        for name in DENY:
            if name in _numbers:
                _rule(ctx, eperm, name)
        _rule(ctx, _errno_action(errno.ENOSYS), "clone3")
        # Shared mappings are not counted by RLIMIT_DATA.
        _rule(ctx, eperm, "mmap", (3, SCMP_CMP_MASKED_EQ, MAP_SHARED, MAP_SHARED))
        return ctx
    except BaseException:
        _lib.seccomp_release(ctx)
        raise


def _build_child(own_pid):
    ctx = _new_filter()
    try:
        eperm = _errno_action(errno.EPERM)
        for name in CHILD_DENY:
            _rule(ctx, eperm, name)
        for name in SIGNAL_SELF_ONLY:
            _rule(ctx, eperm, name, (0, SCMP_CMP_NE, own_pid, 0))
        # Threads (CLONE_THREAD) are allowed; anything else clone makes is a new process.
        _rule(ctx, eperm, "clone", (0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0))
        # getrlimit is prlimit64 with no new limit; setting one is refused.
        _rule(ctx, eperm, "prlimit64", (2, SCMP_CMP_NE, 0, 0))
        return ctx
    except BaseException:
        _lib.seccomp_release(ctx)
        raise


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


_child_fprog = None


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
    """In the zygote, right after load_zygote(): a new socket must be refused."""
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).close()
    except PermissionError:
        return active()
    return False
