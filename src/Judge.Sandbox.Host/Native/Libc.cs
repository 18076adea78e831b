using System.Runtime.InteropServices;

namespace Judge.Sandbox.Native;

/// <summary>
/// The few Linux calls .NET does not expose: socketpair, pipes with a chosen capacity, passing descriptors with
/// SCM_RIGHTS, wait4 with rusage, prctl and kill. x86_64/aarch64 glibc layouts (LP64).
/// </summary>
internal static unsafe partial class Libc
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    public const int MSG_CMSG_CLOEXEC = 0x40000000, MSG_NOSIGNAL = 0x4000;
    public const int EINTR = 4, ECHILD = 10, EAGAIN = 11;
    public const int SIGKILL = 9;
    public const int PR_SET_PDEATHSIG = 1, PR_SET_DUMPABLE = 4;
    public const int O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public const nuint FIONREAD = 0x541B;
    public const int F_GETFL = 3, F_SETFL = 4, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd { public int Fd; public short Events; public short REvents; }

    public const short POLLIN = 1, POLLHUP = 0x10;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec { public void* Base; public nuint Len; }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name; public uint NameLen; public IoVec* Iov; public nuint IovLen;
        public void* Control; public nuint ControlLen; public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr { public nuint Len; public int Level; public int Type; }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal { public long Sec; public long Usec; }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec { public long Sec; public long Nsec; }

    [StructLayout(LayoutKind.Sequential)]
    public struct RUsage
    {
        public TimeVal UTime; public TimeVal STime; public long MaxRss;
        public fixed long Rest[13];
    }

    [LibraryImport("libc", SetLastError = true)] public static partial int socketpair(int domain, int type, int protocol, int* sv);
    [LibraryImport("libc", SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] public static partial int connect(int fd, void* addr, uint len);
    [LibraryImport("libc", SetLastError = true)] public static partial nint sendmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport("libc", SetLastError = true)] public static partial nint recvmsg(int fd, MsgHdr* msg, int flags);
    [LibraryImport("libc", SetLastError = true)] public static partial nint send(int fd, void* buf, nuint len, int flags);
    [LibraryImport("libc", SetLastError = true)] public static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] public static partial int pipe2(int* fds, int flags);
    [LibraryImport("libc", SetLastError = true)] public static partial int ioctl(int fd, nuint request, int* arg);
    [LibraryImport("libc", SetLastError = true)] public static partial int poll(PollFd* fds, nuint nfds, int timeout);
    [LibraryImport("libc", SetLastError = true)] public static partial int fcntl(int fd, int cmd, int arg);
    [LibraryImport("libc", SetLastError = true)] public static partial nint read(int fd, void* buf, nuint count);
    [LibraryImport("libc", SetLastError = true)] public static partial nint write(int fd, void* buf, nuint count);
    [LibraryImport("libc", SetLastError = true)] public static partial int kill(int pid, int sig);
    [LibraryImport("libc", SetLastError = true)] public static partial int wait4(int pid, int* status, int options, RUsage* rusage);
    [LibraryImport("libc", SetLastError = true)] public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    [LibraryImport("libc", SetLastError = true)] public static partial int getuid();
    [LibraryImport("libc")] public static partial void _exit(int status);
    [LibraryImport("libc")] public static partial int clock_getcpuclockid(int pid, int* clockId);
    [LibraryImport("libc", SetLastError = true)] public static partial int clock_gettime(int clockId, TimeSpec* time);

    /// <summary>CPU time used so far by process <paramref name="pid"/> (all its threads), or null when it is gone.</summary>
    public static TimeSpan? ProcessCpuTime(int pid)
    {
        int clock;
        TimeSpec time;
        if (clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &time) != 0) return null;
        return TimeSpan.FromTicks(time.Sec * TimeSpan.TicksPerSecond + time.Nsec / 100);
    }

    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>A close-on-exec Unix socket pair of <paramref name="type"/> (SOCK_STREAM, SOCK_SEQPACKET).</summary>
    public static (int A, int B) SocketPair(int type)
    {
        int* sv = stackalloc int[2];
        if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) != 0)
            throw new IOException($"socketpair failed: errno {Errno}");
        return (sv[0], sv[1]);
    }

    /// <summary>A close-on-exec pipe: (read end, write end).</summary>
    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw new IOException($"pipe2 failed: errno {Errno}");
        return (fds[0], fds[1]);
    }

    /// <summary>Asks for a pipe of at least <paramref name="bytes"/> and returns the capacity it has (the kernel rounds
    /// up to a power of two pages; an unprivileged process is held to /proc/sys/fs/pipe-max-size).</summary>
    public static int SetPipeCapacity(int fd, int bytes)
    {
        fcntl(fd, F_SETPIPE_SZ, bytes); // may fail (EPERM past the limits): the capacity it has is what counts
        return fcntl(fd, F_GETPIPE_SZ, 0);
    }

    public static void SetNonBlocking(int fd, bool nonBlocking = true)
    {
        int flags = fcntl(fd, F_GETFL, 0);
        int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (flags < 0 || fcntl(fd, F_SETFL, wanted) != 0) throw new IOException($"fcntl failed: errno {Errno}");
    }

    /// <summary>Waits until <paramref name="fd"/> is readable (or at end of file, or in error) or the time is up.</summary>
    public static bool WaitReadable(int fd, int timeoutMs)
    {
        var p = new PollFd { Fd = fd, Events = POLLIN };
        while (true)
        {
            int n = poll(&p, 1, timeoutMs);
            if (n >= 0) return n == 1;
            if (Errno != EINTR) throw new IOException($"poll failed: errno {Errno}");
        }
    }

    /// <summary>poll(2) over <paramref name="fds"/>; returns how many have events (0 on timeout or EINTR).</summary>
    public static int Poll(Span<PollFd> fds, int timeoutMs)
    {
        fixed (PollFd* p = fds)
        {
            int n = poll(p, (nuint)fds.Length, timeoutMs);
            if (n >= 0) return n;
            return Errno == EINTR ? 0 : throw new IOException($"poll failed: errno {Errno}");
        }
    }

    /// <summary>One read from a non-blocking descriptor: the count read, 0 at end of file, -1 when nothing is waiting.</summary>
    public static int ReadSome(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = read(fd, p, (nuint)buffer.Length);
                if (n >= 0) return (int)n;
                if (Errno == EINTR) continue;
                return -1;
            }
        }
    }

    /// <summary>Bytes waiting to be read in a pipe or socket (FIONREAD).</summary>
    public static int BytesAvailable(int fd)
    {
        int n = 0;
        return ioctl(fd, FIONREAD, &n) == 0 ? n : throw new IOException($"ioctl failed: errno {Errno}");
    }

    /// <summary>Writes as much of <paramref name="data"/> as fits without blocking (the descriptor is non-blocking);
    /// returns the count written.</summary>
    public static int WriteSome(int fd, ReadOnlySpan<byte> data)
    {
        int done = 0;
        fixed (byte* p = data)
        {
            while (done < data.Length)
            {
                nint n = write(fd, p + done, (nuint)(data.Length - done));
                if (n > 0) { done += (int)n; continue; }
                int errno = Errno;
                if (errno == EINTR) continue;
                if (errno == EAGAIN) break;
                throw new IOException($"write failed: errno {errno}");
            }
        }
        return done;
    }

    /// <summary>Reads until end of file or until <paramref name="buffer"/> is full; returns the count read.</summary>
    public static int ReadToEnd(int fd, Span<byte> buffer)
    {
        int done = 0;
        fixed (byte* p = buffer)
        {
            while (done < buffer.Length)
            {
                nint n = read(fd, p + done, (nuint)(buffer.Length - done));
                if (n > 0) { done += (int)n; continue; }
                if (n == 0) break;
                int errno = Errno;
                if (errno == EINTR) continue;
                throw new IOException($"read failed: errno {errno}");
            }
        }
        return done;
    }

    /// <summary>Sends one datagram with the given descriptors attached (SCM_RIGHTS). Retries EINTR/EAGAIN briefly.</summary>
    public static void SendWithFds(int socketFd, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds)
    {
        int cmsgSpace = CmsgSpace(fds.Length * sizeof(int));
        byte* control = stackalloc byte[cmsgSpace];
        new Span<byte>(control, cmsgSpace).Clear();
        var cmsg = (CmsgHdr*)control;
        cmsg->Len = (nuint)(CmsgAlign(sizeof(CmsgHdr)) + fds.Length * sizeof(int));
        cmsg->Level = SOL_SOCKET;
        cmsg->Type = SCM_RIGHTS;
        var data = (int*)(control + CmsgAlign(sizeof(CmsgHdr)));
        for (int i = 0; i < fds.Length; i++) data[i] = fds[i];

        fixed (byte* p = payload)
        {
            var iov = new IoVec { Base = p, Len = (nuint)payload.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = (nuint)cmsgSpace };
            for (int attempt = 0; ; attempt++)
            {
                if (sendmsg(socketFd, &msg, MSG_NOSIGNAL) >= 0) return;
                int errno = Errno;
                if ((errno == EINTR || errno == EAGAIN) && attempt < 1000) { Thread.Sleep(1); continue; }
                throw new IOException($"sendmsg failed: errno {errno}");
            }
        }
    }

    /// <summary>Receives one datagram and up to <paramref name="fds"/>.Length descriptors. Returns the payload length (0 = EOF).</summary>
    public static int ReceiveWithFds(int socketFd, Span<byte> buffer, Span<int> fds, out int fdCount)
    {
        int cmsgSpace = CmsgSpace(fds.Length * sizeof(int));
        byte* control = stackalloc byte[cmsgSpace];
        fdCount = 0;
        fixed (byte* p = buffer)
        {
            var iov = new IoVec { Base = p, Len = (nuint)buffer.Length };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = (nuint)cmsgSpace };
            nint n;
            while ((n = recvmsg(socketFd, &msg, MSG_CMSG_CLOEXEC)) < 0)
            {
                if (Errno != EINTR) throw new IOException($"recvmsg failed: errno {Errno}");
            }
            if (msg.ControlLen >= (nuint)sizeof(CmsgHdr))
            {
                var cmsg = (CmsgHdr*)control;
                if (cmsg->Level == SOL_SOCKET && cmsg->Type == SCM_RIGHTS)
                {
                    int count = ((int)cmsg->Len - CmsgAlign(sizeof(CmsgHdr))) / sizeof(int);
                    var data = (int*)(control + CmsgAlign(sizeof(CmsgHdr)));
                    for (int i = 0; i < count; i++)
                    {
                        if (i < fds.Length) fds[fdCount++] = data[i];
                        else close(data[i]);
                    }
                }
            }
            return (int)n;
        }
    }

    public static int ConnectUnix(string path, int type)
    {
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0) throw new IOException($"socket failed: errno {Errno}");
        var bytes = System.Text.Encoding.UTF8.GetBytes(path);
        byte* addr = stackalloc byte[110];
        new Span<byte>(addr, 110).Clear();
        *(ushort*)addr = AF_UNIX;
        bytes.AsSpan().CopyTo(new Span<byte>(addr + 2, 107));
        if (connect(fd, addr, (uint)(2 + bytes.Length + 1)) != 0)
        {
            int errno = Errno;
            close(fd);
            throw new IOException($"connect {path} failed: errno {errno}");
        }
        return fd;
    }

    public static void SendAll(int fd, ReadOnlySpan<byte> payload)
    {
        fixed (byte* p = payload)
        {
            while (send(fd, p, (nuint)payload.Length, MSG_NOSIGNAL) < 0)
            {
                int errno = Errno;
                if (errno != EINTR && errno != EAGAIN) throw new IOException($"send failed: errno {errno}");
                Thread.Sleep(1);
            }
        }
    }

    static int CmsgAlign(int len) => (len + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);
    static int CmsgSpace(int len) => CmsgAlign(sizeof(CmsgHdr)) + CmsgAlign(len);
}
