using System.ComponentModel.DataAnnotations;

namespace Judge.Worker;

/// <summary>Configuration section "Queue": the cluster-wide queue every node shares.</summary>
public sealed class QueueOptions
{
    /// <summary>Jobs waiting at most (submissions, runs, validations); beyond it 503 with Retry-After.</summary>
    [Range(1, 10_000_000)] public int Capacity { get; set; } = 1000;

    /// <summary>Retry-After sent with 503 when the queue is full or the sandbox is not ready.</summary>
    [Range(1, 3600)] public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Sandbox slots one client may hold at once while others wait (running jobs, sleeping ones included).
    /// Half of the default pool; a single-tenant deployment sets it to its slot count.</summary>
    [Range(1, 100_000)] public int MaxRunningPerClient { get; set; } = 4;

    /// <summary>Ad-hoc runs (or validations) one client may have queued or running; beyond it 429 with Retry-After.</summary>
    [Range(1, 100_000)] public int MaxPendingRequestsPerClient { get; set; } = 8;
}

/// <summary>Configuration section "Worker": how a worker node takes jobs.</summary>
public sealed class WorkerOptions
{
    /// <summary>Jobs this node works on at once; 0 means the sandbox pool's slot count.</summary>
    [Range(0, 4096)] public int Concurrency { get; set; }

    /// <summary>How long a claimed job stays this worker's without a renewal; a worker killed with -9 loses its jobs to
    /// others after at most this long.</summary>
    [Range(1, 3600)] public int LeaseSeconds { get; set; } = 30;

    /// <summary>Claims of one job before it is given up as an internal error (a job that keeps killing its worker).</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 3;
}
