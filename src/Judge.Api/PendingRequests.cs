using System.Text.Json;
using Judge.Core;
using Judge.Storage;
using Judge.Worker;

namespace Judge.Api;

/// <summary>How a request a caller waits on ended: answered, refused before it was queued, or not answered in time.</summary>
public enum RequestOutcome { Answered, QueueFull, ClientBusy, TimedOut }

public sealed record RequestAnswer<T>(RequestOutcome Outcome, T? Result, Guid Id);

/// <summary>
/// Hands a request (an ad-hoc run, a problem validation) to the workers through the shared queue and waits for its
/// answer: the same path on one machine and in a cluster, with the same fair share and limits.
/// </summary>
public sealed class PendingRequests(IJudgeStore store, IOptions<QueueOptions> queue)
{
    /// <summary>Queues <paramref name="payload"/> and waits up to <paramref name="wait"/> for the result. A request not
    /// answered in time, or whose caller went away, is dropped if it has not started; with <paramref name="keep"/> it
    /// stays (queued, then completed) for a later read.</summary>
    public async Task<RequestAnswer<T>> AskAsync<T>(
        JobKind kind, string clientId, object payload, TimeSpan wait, CancellationToken ct, Callback? callback = null, bool keep = false)
    {
        var (inserted, id) = await QueueAsync(kind, clientId, payload, ct, callback);
        switch (inserted)
        {
            case InsertOutcome.QueueFull: return new(RequestOutcome.QueueFull, default, id);
            case InsertOutcome.ClientBusy: return new(RequestOutcome.ClientBusy, default, id);
        }
        try
        {
            var answer = await WaitAsync<T>(id, wait, ct);
            if (answer.Outcome == RequestOutcome.Answered && !keep) await store.DeleteRequestAsync(id, CancellationToken.None);
            if (answer.Outcome == RequestOutcome.TimedOut && !keep) await store.AbandonRequestAsync(id, CancellationToken.None);
            return answer;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && !keep)
        {
            await store.AbandonRequestAsync(id, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Stores and queues a request without waiting for it: <see cref="InsertOutcome.Inserted"/> and its id, or
    /// why it was refused (nothing stored).</summary>
    public async Task<(InsertOutcome Outcome, Guid Id)> QueueAsync(
        JobKind kind, string clientId, object payload, CancellationToken ct, Callback? callback = null)
    {
        var id = Guid.NewGuid();
        var inserted = await store.InsertRequestAsync(
            new NewRequest(id, kind, clientId, JsonSerializer.Serialize(payload, payload.GetType(), JudgeJson.Options), DateTimeOffset.UtcNow, callback),
            queue.Value.Capacity, queue.Value.MaxPendingRequestsPerClient, ct);
        return (inserted, id);
    }

    /// <summary>Waits up to <paramref name="wait"/> for a queued request's result; the request itself is left as it is.</summary>
    public async Task<RequestAnswer<T>> WaitAsync<T>(Guid id, TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            if (left > TimeSpan.Zero) await store.WaitForCompletionAsync(id, left, ct);
            var record = await store.GetRequestAsync(id, ct);
            if (record is { Status: SubmissionStatus.Completed, ResultJson: { } json })
                return new(RequestOutcome.Answered, JsonSerializer.Deserialize<T>(json, JudgeJson.Options), id);
            if (record is null || DateTimeOffset.UtcNow >= deadline) return new(RequestOutcome.TimedOut, default, id);
        }
    }
}
