using Judge.Sandbox;
using Judge.Storage;

namespace Judge.Worker;

/// <summary>
/// The worker role's loop: claims jobs from the shared queue (fairly across clients), works on each with its lease
/// renewed, completes it once, and gives expired leases of dead workers back to the queue. Runs as many claim loops as
/// the node has sandbox slots, so a claimed job never waits for a slot on this node. Only one free loop at a time
/// claims and waits for work: a wake-up (NOTIFY) or an idle poll costs a node one claim, not one per free slot, and a
/// loop that got a job hands the turn on at once, so a backlog still fills every slot.
/// </summary>
public sealed class WorkerService(
    IJudgeStore store, JobProcessor processor, ISandboxStatus sandbox, IOptions<WorkerOptions> workerOptions,
    IOptions<QueueOptions> queueOptions, IOptions<NodeOptions> nodeOptions, IOptions<StorageOptions> storageOptions,
    ILogger<WorkerService> logger) : BackgroundService
{
    static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    readonly WorkerOptions _options = workerOptions.Value;
    readonly string _workerId = nodeOptions.Value.EffectiveNodeId;
    TimeSpan Lease => TimeSpan.FromSeconds(_options.LeaseSeconds);
    readonly SemaphoreSlim _claimTurn = new(1, 1);

    /// <summary>Claim loops this node runs.</summary>
    public int Concurrency => _options.Concurrency > 0 ? _options.Concurrency : sandbox.SlotCount;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await sandbox.Ready.WaitAsync(stoppingToken);
            // One SQLite file is one node: whatever it shows running was this node's before a restart.
            if (storageOptions.Value.Provider == StorageProvider.Sqlite && await store.RequeueAllRunningAsync(stoppingToken) is > 0 and var n)
                logger.LogInformation("Re-queued {Count} jobs that were running before the last stop", n);
            logger.LogInformation("Worker {WorkerId} taking jobs with {Concurrency} slots", _workerId, Concurrency);
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(() => ClaimLoopAsync(stoppingToken), stoppingToken))
                .Append(SweepLoopAsync(stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    async Task ClaimLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            ClaimedJob job;
            await _claimTurn.WaitAsync(ct);
            try
            {
                job = await ClaimNextAsync(ct);
            }
            finally
            {
                _claimTurn.Release();
            }
            await WorkOnAsync(job, ct);
        }
    }

    /// <summary>Claims until a job comes, waiting for a wake-up or the idle poll between empty claims.</summary>
    async Task<ClaimedJob> ClaimNextAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                if (await store.ClaimAsync(_workerId, Lease, queueOptions.Value.MaxRunningPerClient, ct) is { } job) return job;
                await store.WaitForWorkAsync(IdlePoll, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError("Claiming a job failed: {Error}", e.Message);
                await Task.Delay(IdlePoll, ct);
            }
        }
    }

    /// <summary>Works on one claimed job while renewing its lease; a job lost to another worker is abandoned, a job
    /// interrupted by shutdown goes back to the queue.</summary>
    async Task WorkOnAsync(ClaimedJob job, CancellationToken stopping)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = job.Id, ["JobKind"] = job.Kind, ["Attempt"] = job.Attempt });
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var renewal = RenewWhileWorkingAsync(job, lost);
        try
        {
            var completed = job.Attempt > _options.MaxAttempts
                ? await processor.GiveUpAsync(job, $"the job was interrupted {job.Attempt - 1} times; it is not tried again", lost.Token)
                : await processor.ProcessAsync(job, lost.Token);
            if (!completed) logger.LogWarning("Job {JobId} was completed elsewhere; this result was dropped", job.Id);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            if (stopping.IsCancellationRequested)
            {
                try { await store.ReleaseAsync(job, CancellationToken.None); }
                catch (Exception e) { logger.LogWarning("Job {JobId} could not be given back ({Error}); its lease will expire", job.Id, e.Message); }
            }
            else logger.LogWarning("Lost the lease of job {JobId}; another worker has it", job.Id);
        }
        catch (Exception e)
        {
            // The job stays claimed; its lease expires and it is retried (up to MaxAttempts).
            logger.LogError(e, "Job {JobId} failed", job.Id);
        }
        finally
        {
            await lost.CancelAsync();
            await renewal;
        }
    }

    async Task RenewWhileWorkingAsync(ClaimedJob job, CancellationTokenSource lost)
    {
        using var timer = new PeriodicTimer(Lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(lost.Token))
            {
                bool renewed;
                try { renewed = await store.RenewAsync(job, Lease, lost.Token); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Renewing the lease of job {JobId} failed: {Error}", job.Id, e.Message);
                    continue;
                }
                if (!renewed)
                {
                    await lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Gives the jobs of dead workers back to the queue (every worker does this; it is idempotent).</summary>
    async Task SweepLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Lease / 2);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                if (await store.RequeueExpiredAsync(ct) is > 0 and var n)
                    logger.LogWarning("Re-queued {Count} jobs whose worker stopped renewing their lease", n);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Re-queuing expired jobs failed: {Error}", e.Message);
            }
        }
    }
}
