using System.Collections.Concurrent;

namespace Judge.Storage;

/// <summary>
/// Wake-ups within one process: "there may be work" for every waiting worker, "this id completed" for whoever waits on it.
/// A waiter always re-reads the store afterwards, so a lost or early signal only costs a poll interval.
/// </summary>
internal sealed class StoreSignals
{
    TaskCompletionSource _work = NewSource();
    readonly ConcurrentDictionary<Guid, TaskCompletionSource> _completions = new();

    static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void PulseWork() => Interlocked.Exchange(ref _work, NewSource()).TrySetResult();

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { await Volatile.Read(ref _work).Task.WaitAsync(timeout, ct); }
        catch (TimeoutException) { }
    }

    public void PulseCompletion(Guid id)
    {
        if (_completions.TryRemove(id, out var source)) source.TrySetResult();
    }

    /// <summary>Subscribes first, then asks <paramref name="isDone"/>, so a completion between the two is not missed.</summary>
    public Task WaitForCompletionAsync(Guid id, TimeSpan timeout, Func<bool> isDone, CancellationToken ct) =>
        WaitForCompletionAsync(id, timeout, (_, _) => Task.FromResult(isDone()), ct, Timeout.InfiniteTimeSpan);

    /// <summary>As above, asking again every <paramref name="poll"/> (signals from another process can be lost).</summary>
    public async Task WaitForCompletionAsync(
        Guid id, TimeSpan timeout, Func<Guid, CancellationToken, Task<bool>> isDone, CancellationToken ct, TimeSpan poll)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var source = _completions.GetOrAdd(id, _ => NewSource());
            try
            {
                if (await isDone(id, ct)) return;
                var left = deadline - DateTimeOffset.UtcNow;
                if (left <= TimeSpan.Zero) return;
                await source.Task.WaitAsync(poll != Timeout.InfiniteTimeSpan && poll < left ? poll : left, ct);
                if (poll == Timeout.InfiniteTimeSpan) return;
            }
            catch (TimeoutException) when (poll != Timeout.InfiniteTimeSpan && DateTimeOffset.UtcNow < deadline) { }
            catch (TimeoutException) { return; }
            finally
            {
                // A waiter that timed out leaves no entry behind (another waiter on the same id re-adds one).
                if (!source.Task.IsCompleted) _completions.TryRemove(new(id, source));
            }
        }
    }

    /// <summary>Wakes every waiter to re-read the store (the signals of another process may have been lost).</summary>
    public void PulseAll()
    {
        PulseWork();
        foreach (var id in _completions.Keys) PulseCompletion(id);
    }
}
