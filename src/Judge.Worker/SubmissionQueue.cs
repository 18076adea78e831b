using System.Collections.Concurrent;

namespace Judge.Worker;

/// <summary>
/// The in-process queue of submission ids: bounded, and fair across clients (round-robin over one queue per client),
/// so one client's burst cannot starve the others. Also tells waiters when a submission completes.
/// </summary>
public sealed class SubmissionQueue(IOptions<QueueOptions> options)
{
    readonly Lock _gate = new();
    readonly Dictionary<string, Queue<Guid>> _perClient = [];
    readonly Queue<string> _turns = new();
    readonly SemaphoreSlim _available = new(0);
    readonly ConcurrentDictionary<Guid, TaskCompletionSource> _completions = new();
    int _count, _reserved;

    public int Count { get { lock (_gate) return _count; } }

    /// <summary>Holds a place for a submission about to be stored; false when the queue is full.</summary>
    public bool TryReserve()
    {
        lock (_gate)
        {
            if (_count + _reserved >= options.Value.Capacity) return false;
            _reserved++;
            return true;
        }
    }

    public void Release() { lock (_gate) _reserved--; }

    /// <summary>Enqueues a submission whose place was reserved.</summary>
    public void Enqueue(string clientId, Guid id)
    {
        lock (_gate) _reserved--;
        EnqueueRecovered(clientId, id);
    }

    /// <summary>Enqueues without a reservation: submissions accepted before a restart are never refused.</summary>
    public void EnqueueRecovered(string clientId, Guid id)
    {
        lock (_gate)
        {
            if (!_perClient.TryGetValue(clientId, out var queue))
            {
                _perClient[clientId] = queue = new Queue<Guid>();
                _turns.Enqueue(clientId);
            }
            queue.Enqueue(id);
            _count++;
        }
        _available.Release();
    }

    public async Task<Guid> DequeueAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken);
        lock (_gate)
        {
            var clientId = _turns.Dequeue();
            var queue = _perClient[clientId];
            var id = queue.Dequeue();
            if (queue.Count > 0) _turns.Enqueue(clientId);
            else _perClient.Remove(clientId);
            _count--;
            return id;
        }
    }

    /// <summary>A task that finishes when <paramref name="id"/> completes. Check storage after subscribing, not before.</summary>
    public Task Completion(Guid id) =>
        _completions.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void NotifyCompleted(Guid id)
    {
        if (_completions.TryRemove(id, out var tcs)) tcs.TrySetResult();
    }
}
