using Judge.Sandbox.Native;

namespace Judge.Sandbox.Pool;

/// <summary>
/// One child's pipes: the request (pool → child), the progress pipe (child → host: one byte per test started), and per
/// test a result frame, stdout and stderr (child → pool). The request is written before the child starts. Output and
/// results stay in the kernel's pipe buffers, sized above their limits, until the child has exited, and are read then:
/// nothing is read, polled or awaited while a run is in flight. The child's write ends are non-blocking, so a child that
/// prints past a full buffer gets an error, and the pool sees a buffer holding more than the limit:
/// output_limit_exceeded, decided from what the pool counted. Where the limit is above /proc/sys/fs/pipe-max-size
/// (1 MiB by default), or the kernel refuses the size, that stream is drained while the run goes on instead, and the run
/// is killed when it passes the limit.
/// </summary>
internal sealed class RunPipes : IDisposable
{
    public const int ResultCapacity = 1024 * 1024;

    /// <summary>The largest pipe asked for: /proc/sys/fs/pipe-max-size, what an unprivileged process may have, even
    /// when the pool runs as root, so that the pool behaves the same either way.</summary>
    static readonly int PipeMax = ReadPipeMax();

    static int ReadPipeMax()
    {
        try { return int.Parse(File.ReadAllText("/proc/sys/fs/pipe-max-size").Trim(), System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return 1024 * 1024; }
    }

    static int SetCapacity(int fd, int bytes) => Libc.SetPipeCapacity(fd, Math.Min(bytes, PipeMax));

    /// <summary>One test's three pipes, and the background readers where a stream could not be sized above the limit.</summary>
    public sealed class TestPipes
    {
        public int ResultRead, ResultWrite, OutRead, OutWrite, ErrRead, ErrWrite;
        public Task<(byte[] Bytes, bool Over)>? OutDrain, ErrDrain;
    }

    readonly int _outputLimit;
    readonly List<int> _open = [];
    Task? _requestWriter;

    public int RequestRead { get; }
    public int RequestWrite { get; }
    public int ProgressRead { get; }
    public int ProgressWrite { get; }
    public IReadOnlyList<TestPipes> Tests { get; }

    /// <summary>What the run message carries, in the order the host and the harness expect: the progress pipe's read end
    /// (the host keeps it), then the child's: request, progress write end, and result, stdout, stderr per test.</summary>
    public int[] HandedOver =>
        [ProgressRead, RequestRead, ProgressWrite, .. Tests.SelectMany(t => new[] { t.ResultWrite, t.OutWrite, t.ErrWrite })];

    public RunPipes(int outputLimit, int tests)
    {
        _outputLimit = outputLimit;
        try
        {
            (RequestRead, RequestWrite) = Open();
            (ProgressRead, ProgressWrite) = Open();
            var list = new List<TestPipes>(tests);
            for (int i = 0; i < tests; i++)
            {
                var t = new TestPipes();
                (t.ResultRead, t.ResultWrite) = Open();
                (t.OutRead, t.OutWrite) = Open();
                (t.ErrRead, t.ErrWrite) = Open();
                SetCapacity(t.ResultWrite, ResultCapacity); // the child writes at most what it finds
                Libc.SetNonBlocking(t.ResultWrite);
                list.Add(t);
            }
            Tests = list;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    (int, int) Open()
    {
        var (r, w) = Libc.Pipe();
        _open.Add(r);
        _open.Add(w);
        return (r, w);
    }

    /// <summary>Sizes each test's stdout and stderr above the output limit, or falls back to draining them while the run
    /// goes on (then <paramref name="onOverflow"/> runs when one passes the limit).</summary>
    public void PrepareOutput(Action onOverflow)
    {
        foreach (var t in Tests)
        {
            t.OutDrain = Prepare(t.OutRead, t.OutWrite);
            t.ErrDrain = Prepare(t.ErrRead, t.ErrWrite);
        }

        Task<(byte[], bool)>? Prepare(int read, int write)
        {
            if (SetCapacity(write, _outputLimit + 1) > _outputLimit)
            {
                Libc.SetNonBlocking(write);
                return null;
            }
            return Task.Factory.StartNew(() =>
            {
                var result = ReadCapped(read, whileRunning: true);
                if (result.Over) onOverflow();
                return result;
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>Puts the request into its pipe: at once when it fits (the usual case), else from a background writer
    /// that the child's reading unblocks (it fails with EPIPE, harmlessly, if the child dies first).</summary>
    public void WriteRequest(byte[] frame)
    {
        if (frame.Length > 64 * 1024) SetCapacity(RequestWrite, frame.Length);
        Libc.SetNonBlocking(RequestWrite);
        int written = Libc.WriteSome(RequestWrite, frame);
        if (written == frame.Length) return;
        int fd = RequestWrite;
        Libc.SetNonBlocking(fd, false);
        _requestWriter = Task.Factory.StartNew(() =>
        {
            try { Libc.WriteSome(fd, frame.AsSpan(written)); }
            catch (IOException) { } // the child went away without reading it all
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Closes the pool's copies of what it handed over, once the host has them.</summary>
    public void CloseHandedOver()
    {
        foreach (int fd in HandedOver) Close(fd);
    }

    /// <summary>After the child is gone (every write end closed): a test's stdout and stderr, each cut at the limit, and
    /// whether either held more.</summary>
    public async Task<((byte[] Bytes, bool Over) Out, (byte[] Bytes, bool Over) Err)> ReadOutputAsync(int test)
    {
        var t = Tests[test];
        var output = t.OutDrain is null ? ReadCapped(t.OutRead) : await t.OutDrain;
        var error = t.ErrDrain is null ? ReadCapped(t.ErrRead) : await t.ErrDrain;
        return (output, error);
    }

    /// <summary>After the child is gone: a test's result frame bytes (at most <see cref="ResultCapacity"/>).</summary>
    public byte[] ReadResult(int test) => ReadWaiting(Tests[test].ResultRead, ResultCapacity);

    /// <summary>Everything left in a pipe whose writers are gone, at most <paramref name="max"/> bytes.</summary>
    static byte[] ReadWaiting(int fd, int max)
    {
        var buffer = new byte[Math.Min(Libc.BytesAvailable(fd), max)];
        return buffer.Length == 0 ? buffer : buffer[..Libc.ReadToEnd(fd, buffer)];
    }

    /// <summary>Stdout or stderr cut at the limit, and whether it held more. With the writers gone the pipe's count is
    /// all there is; while a run goes on (the fallback) it reads in chunks until end of file or past the limit.</summary>
    (byte[] Bytes, bool Over) ReadCapped(int fd, bool whileRunning = false)
    {
        byte[] bytes;
        if (!whileRunning)
        {
            bytes = ReadWaiting(fd, _outputLimit + 1);
        }
        else
        {
            using var collected = new MemoryStream();
            var chunk = new byte[16 * 1024];
            while (collected.Length <= _outputLimit)
            {
                int n = Libc.ReadToEnd(fd, chunk.AsSpan(0, (int)Math.Min(chunk.Length, _outputLimit + 1 - collected.Length)));
                if (n == 0) break;
                collected.Write(chunk, 0, n);
            }
            bytes = collected.ToArray();
        }
        return bytes.Length > _outputLimit ? (bytes[.._outputLimit], true) : (bytes, false);
    }

    void Close(int fd)
    {
        lock (_open)
        {
            if (_open.Remove(fd)) Libc.close(fd);
        }
    }

    public void Dispose()
    {
        // A background writer or reader still blocked on its descriptor (a run given up on while the child lives on
        // until the host kills it) keeps it until it returns: closed now, its number could be reused under it.
        CloseWhenDone(_requestWriter, RequestWrite);
        foreach (var t in Tests ?? [])
        {
            CloseWhenDone(t.OutDrain, t.OutRead);
            CloseWhenDone(t.ErrDrain, t.ErrRead);
        }
        lock (_open)
        {
            foreach (int fd in _open) Libc.close(fd);
            _open.Clear();
        }
    }

    void CloseWhenDone(Task? task, int fd)
    {
        if (task is null || task.IsCompleted) return;
        lock (_open)
        {
            if (!_open.Remove(fd)) return;
        }
        task.ContinueWith(_ => Libc.close(fd), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
