using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Judge.Api.Submissions;

/// <summary>
/// The in-process queue of submission ids: bounded, and fair across clients (round-robin over one queue per client),
/// so one client's burst cannot starve the others. Also tells waiters when a submission completes.
/// </summary>
public sealed class SubmissionQueue(IOptions<QueueOptions> options)
{
    readonly Lock gate = new();
    readonly Dictionary<string, Queue<Guid>> perClient = [];
    readonly Queue<string> turns = new();
    readonly SemaphoreSlim available = new(0);
    readonly ConcurrentDictionary<Guid, TaskCompletionSource> completions = new();
    int count, reserved;

    public int Count { get { lock (gate) return count; } }

    /// <summary>Holds a place for a submission about to be stored; false when the queue is full.</summary>
    public bool TryReserve()
    {
        lock (gate)
        {
            if (count + reserved >= options.Value.Capacity) return false;
            reserved++;
            return true;
        }
    }

    public void Release() { lock (gate) reserved--; }

    /// <summary>Enqueues a submission whose place was reserved.</summary>
    public void Enqueue(string clientId, Guid id)
    {
        lock (gate) reserved--;
        EnqueueRecovered(clientId, id);
    }

    /// <summary>Enqueues without a reservation: submissions accepted before a restart are never refused.</summary>
    public void EnqueueRecovered(string clientId, Guid id)
    {
        lock (gate)
        {
            if (!perClient.TryGetValue(clientId, out var queue))
            {
                perClient[clientId] = queue = new Queue<Guid>();
                turns.Enqueue(clientId);
            }
            queue.Enqueue(id);
            count++;
        }
        available.Release();
    }

    public async Task<Guid> DequeueAsync(CancellationToken cancellationToken)
    {
        await available.WaitAsync(cancellationToken);
        lock (gate)
        {
            var clientId = turns.Dequeue();
            var queue = perClient[clientId];
            var id = queue.Dequeue();
            if (queue.Count > 0) turns.Enqueue(clientId);
            else perClient.Remove(clientId);
            count--;
            return id;
        }
    }

    /// <summary>A task that finishes when <paramref name="id"/> completes. Check storage after subscribing, not before.</summary>
    public Task Completion(Guid id) =>
        completions.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void NotifyCompleted(Guid id)
    {
        if (completions.TryRemove(id, out var tcs)) tcs.TrySetResult();
    }
}
