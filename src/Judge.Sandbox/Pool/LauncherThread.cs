using System.Collections.Concurrent;
using System.Diagnostics;

namespace Judge.Sandbox.Pool;

/// <summary>
/// Starts host processes from one thread that lives as long as the pool. bwrap's --die-with-parent is the kernel's
/// parent-death signal, which follows the THREAD that forked the process, not the process: started from a thread-pool
/// thread, a host was killed whenever that thread retired (an idle pool, a busy machine). From this thread, a host dies
/// with the pool and only then.
/// </summary>
internal sealed class LauncherThread : IDisposable
{
    readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> _requests = new();
    readonly Thread _thread;

    public LauncherThread()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "sandbox host launcher" };
        _thread.Start();
    }

    public Task<Process> StartAsync(ProcessStartInfo info)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((info, started));
        return started.Task;
    }

    void Loop()
    {
        foreach (var (info, started) in _requests.GetConsumingEnumerable())
        {
            try { started.TrySetResult(Process.Start(info) ?? throw new SandboxUnavailableException($"could not start {info.FileName}")); }
            catch (Exception e) { started.TrySetException(e); }
        }
    }

    /// <summary>Lets the thread end once queued starts are done (the hosts it started then get their parent-death signal).</summary>
    public void Dispose() => _requests.CompleteAdding();
}
