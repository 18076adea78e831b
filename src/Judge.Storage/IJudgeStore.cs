namespace Judge.Storage;

/// <summary>
/// Everything Judge keeps and every node shares: submissions, the queue of work for the workers (submissions to
/// grade, ad-hoc runs and problem validations that an API node waits on), problems created through the API (versioned)
/// and the webhook outbox. Two implementations (SQLite for one machine, PostgreSQL for a cluster) pass one contract
/// test suite. Every method is one transaction; every state change is one round trip.
/// </summary>
public interface IJudgeStore
{
    /// <summary>Creates or migrates the schema (the first node to start does it; the others wait for its lock).</summary>
    Task MigrateAsync(CancellationToken ct = default);

    /// <summary>Schema version after <see cref="MigrateAsync"/>.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken ct = default);

    // ---- submissions

    /// <summary>
    /// Stores a submission and queues it, in one transaction. With an idempotency key this client already used, nothing
    /// is stored and the earlier submission comes back (<see cref="InsertOutcome.Existing"/>). When the cluster-wide
    /// queue already holds <paramref name="queueCapacity"/> jobs, nothing is stored (<see cref="InsertOutcome.QueueFull"/>).
    /// </summary>
    Task<(InsertOutcome Outcome, SubmissionRecord? Record)> InsertSubmissionAsync(NewSubmission submission, int queueCapacity, CancellationToken ct = default);

    Task<SubmissionRecord?> GetSubmissionAsync(Guid id, CancellationToken ct = default);

    Task<SubmissionRecord?> FindByIdempotencyKeyAsync(string clientId, string key, CancellationToken ct = default);

    // ---- requests a caller waits on (ad-hoc runs, problem validations)

    /// <summary>
    /// Stores a request and queues it. Refused (nothing stored) when the queue is full, or when this client already has
    /// <paramref name="maxPendingPerClient"/> requests of this kind queued or running.
    /// </summary>
    Task<InsertOutcome> InsertRequestAsync(NewRequest request, int queueCapacity, int maxPendingPerClient, CancellationToken ct = default);

    Task<RequestRecord?> GetRequestAsync(Guid id, CancellationToken ct = default);

    /// <summary>The caller gave up: a request still queued is dropped (a running one finishes and is ignored).</summary>
    Task AbandonRequestAsync(Guid id, CancellationToken ct = default);

    /// <summary>Removes a completed request whose result its caller has read (ad-hoc runs are not kept).</summary>
    Task DeleteRequestAsync(Guid id, CancellationToken ct = default);

    /// <summary>Requests of <paramref name="kind"/> created at or after <paramref name="since"/> that are still stored
    /// (kept ones: a request deleted after reading is gone), counted per UTC day of creation. Statistics pages use it.</summary>
    Task<IReadOnlyDictionary<DateOnly, int>> CountRequestsByDayAsync(JobKind kind, DateTimeOffset since, CancellationToken ct = default);

    // ---- the queue

    /// <summary>
    /// Claims the next job for <paramref name="workerId"/> with a lease, or null when nothing is claimable. Fair across
    /// clients: the job comes from the client with the fewest jobs running (then the oldest), and never from a client
    /// that already has <paramref name="maxRunningPerClient"/> jobs running, sleeping ones included.
    /// </summary>
    Task<ClaimedJob?> ClaimAsync(string workerId, TimeSpan lease, int maxRunningPerClient, CancellationToken ct = default);

    /// <summary>Extends a lease; false when the job is no longer this worker's (its lease expired and it was requeued).</summary>
    Task<bool> RenewAsync(ClaimedJob job, TimeSpan lease, CancellationToken ct = default);

    /// <summary>
    /// Stores a graded submission and removes its job, once: false (and nothing changes) when this worker no longer
    /// holds the job, e.g. a late duplicate after its lease expired. Queues the webhook delivery, if any, in the same
    /// transaction.
    /// </summary>
    Task<bool> CompleteSubmissionAsync(ClaimedJob job, CompletedSubmission result, CancellationToken ct = default);

    /// <summary>Stores a request's result and removes its job, once (as <see cref="CompleteSubmissionAsync"/>).</summary>
    Task<bool> CompleteRequestAsync(ClaimedJob job, string resultJson, CancellationToken ct = default);

    /// <summary>Gives a claimed job back to the queue (a worker stopping cleanly).</summary>
    Task ReleaseAsync(ClaimedJob job, CancellationToken ct = default);

    /// <summary>Jobs whose lease expired (their worker died) go back to the queue; returns how many.</summary>
    Task<int> RequeueExpiredAsync(CancellationToken ct = default);

    /// <summary>Every running job goes back to the queue (one-node start-up: nothing else can be holding them).</summary>
    Task<int> RequeueAllRunningAsync(CancellationToken ct = default);

    Task<QueueCounts> GetQueueCountsAsync(CancellationToken ct = default);

    /// <summary>Returns when new work may be claimable (a notification), or after <paramref name="timeout"/>.</summary>
    Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct = default);

    /// <summary>Returns once submission or request <paramref name="id"/> is completed (at once when it already is), or after
    /// <paramref name="timeout"/>, or when it is unknown.</summary>
    Task WaitForCompletionAsync(Guid id, TimeSpan timeout, CancellationToken ct = default);

    // ---- problems created through the API

    /// <summary>Creates or replaces a problem; returns its new version (1 for a new problem).</summary>
    Task<long> SaveProblemAsync(string id, string document, CancellationToken ct = default);

    /// <summary>Deletes a problem (a tombstone other nodes see); false when there was none.</summary>
    Task<bool> DeleteProblemAsync(string id, CancellationToken ct = default);

    /// <summary>Problems changed after <paramref name="afterRevision"/> (every problem from 0), tombstones included.</summary>
    Task<IReadOnlyList<StoredProblem>> GetProblemChangesAsync(long afterRevision, CancellationToken ct = default);

    // ---- webhook outbox (a delivery is queued in the transaction that completes its submission or request)

    /// <summary>Claims up to <paramref name="max"/> deliveries that are due, each with a lease (another node takes over
    /// a delivery whose sender died).</summary>
    Task<IReadOnlyList<WebhookDelivery>> ClaimDueWebhooksAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default);

    /// <summary>Records one attempt: delivered, retry at <see cref="WebhookAttempt.NextAttemptAt"/>, or given up.</summary>
    Task RecordWebhookAttemptAsync(WebhookDelivery delivery, WebhookAttempt attempt, CancellationToken ct = default);

    /// <summary>The deliveries of one submission or request (what its view shows).</summary>
    Task<IReadOnlyList<WebhookDelivery>> GetWebhookDeliveriesAsync(Guid sourceId, CancellationToken ct = default);

    // ---- retention

    /// <summary>Deletes completed submissions and requests that completed before <paramref name="before"/>.</summary>
    Task<PurgeCounts> PurgeAsync(DateTimeOffset before, CancellationToken ct = default);
}

public enum SubmissionStatus { Queued, Running, Completed }

public enum InsertOutcome { Inserted, Existing, QueueFull, ClientBusy }

public enum JobKind { Submission, Run, Validation }

/// <summary>Where a completion is announced: the URL and which API's shape the body takes ("v1", "judge0").</summary>
public sealed record Callback(string Url, string Surface);

public sealed record NewSubmission(
    Guid Id, string ClientId, string ProblemId, string Code, string? IdempotencyKey, string RequestHash, DateTimeOffset CreatedAt,
    Callback? Callback = null);

public sealed record SubmissionRecord(
    Guid Id, string ClientId, string ProblemId, string Code, SubmissionStatus Status, string? ResultJson,
    string? IdempotencyKey, string? RequestHash, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt)
{
    /// <summary>The problem version the submission was graded against (set on completion).</summary>
    public string? ProblemVersion { get; init; }
    public Callback? Callback { get; init; }
}

/// <summary>What a worker stores when it has graded a submission.</summary>
public sealed record CompletedSubmission(string ResultJson, string? ProblemVersion);

/// <summary>A request an API node waits on: an ad-hoc run or a problem validation. Its payload and result are JSON.</summary>
public sealed record NewRequest(
    Guid Id, JobKind Kind, string ClientId, string PayloadJson, DateTimeOffset CreatedAt, Callback? Callback = null);

public sealed record RequestRecord(
    Guid Id, JobKind Kind, string ClientId, SubmissionStatus Status, string PayloadJson, string? ResultJson,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt)
{
    public Callback? Callback { get; init; }
}

/// <summary>A job a worker holds until its lease expires. <see cref="Attempt"/> counts claims, this one included.</summary>
public sealed record ClaimedJob(Guid Id, JobKind Kind, string ClientId, int Attempt, string WorkerId, DateTimeOffset QueuedAt);

public sealed record QueueCounts(int Queued, int Running);

public sealed record StoredProblem(string Id, string? Document, long Version, long Revision)
{
    public bool Deleted => Document is null;
}

public sealed record PurgeCounts(int Submissions, int Requests);

public enum WebhookStatus { Pending, Delivered, Failed }

/// <summary>One announcement of a completed submission or request (<see cref="SourceId"/>) to its callback URL.</summary>
public sealed record WebhookDelivery(
    Guid Id, Guid SourceId, string Url, string Surface, string ClientId, WebhookStatus Status, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt)
{
    public DateTimeOffset? DeliveredAt { get; init; }
    public int? LastStatusCode { get; init; }
    public string? LastError { get; init; }
}

/// <summary>The outcome of one delivery attempt. <see cref="NextAttemptAt"/> null with <see cref="Delivered"/> false
/// means the delivery is given up.</summary>
public sealed record WebhookAttempt(bool Delivered, int? StatusCode, string? Error, DateTimeOffset? NextAttemptAt);
