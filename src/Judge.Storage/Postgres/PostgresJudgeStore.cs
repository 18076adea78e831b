using System.Data;
using Npgsql;

namespace Judge.Storage.Postgres;

/// <summary>
/// The store of a cluster: PostgreSQL shared by every api and worker node. Each method is one statement (or one batch)
/// and so one round trip in its own transaction; claims are a plpgsql function (<see cref="PostgresSchema"/>). Workers
/// and completion waiters are woken by LISTEN/NOTIFY on one dedicated connection per process, with a poll as fallback.
/// </summary>
internal sealed class PostgresJudgeStore : IJudgeStore, IAsyncDisposable
{
    /// <summary>How often a waiter re-reads the database when no notification came (a lost connection, say).</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    readonly NpgsqlDataSource _dataSource;
    readonly PostgresListener _listener;
    readonly StoreSignals _signals = new();
    readonly ILogger? _logger;

    public PostgresJudgeStore(string connectionString, ILogger? logger = null)
    {
        _logger = logger;
        var builder = WithDefaults(connectionString);
        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        _listener = new PostgresListener(builder.ConnectionString, _signals, logger);
    }

    internal PostgresListener Listener => _listener;

    /// <summary>The connection string with the defaults that suit many short statements from many nodes: statements
    /// prepared once per connection, no reset round trip when a pooled connection is reused (no statement changes session
    /// state; the advisory locks are transaction-level). A setting given in the connection string, in any of Npgsql's
    /// spellings, wins. (NpgsqlConnectionStringBuilder.ContainsKey is true for every keyword it knows, given or not, so the
    /// given ones are read from the string itself.)</summary>
    internal static NpgsqlConnectionStringBuilder WithDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(Normalized).ToHashSet(StringComparer.Ordinal);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("MAXAUTOPREPARE")) builder.MaxAutoPrepare = 32;
        if (!given.Contains("AUTOPREPAREMINUSAGES")) builder.AutoPrepareMinUsages = 2;
        if (!given.Contains("APPLICATIONNAME")) builder.ApplicationName = "judge";
        if (!given.Contains("NORESETONCLOSE")) builder.NoResetOnClose = true;
        return builder;

        static string Normalized(string keyword) => keyword.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
    }

    // ---- schema

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        // Nodes may start before the database accepts connections (or while it is slow to): they wait up to a minute.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateOnceAsync(ct);
                break;
            }
            catch (NpgsqlException e) when (e.IsTransient && attempt < 30 && !ct.IsCancellationRequested)
            {
                _logger?.LogWarning("The database is not reachable yet ({Error}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
        _listener.Start();
    }

    async Task MigrateOnceAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Execute(connection, "SELECT pg_advisory_xact_lock($1)", ct, P(PostgresSchema.MigrationLock));
        await Execute(connection, """
            CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);
            INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
            """, ct);
        var version = await Scalar<int>(connection, "SELECT version FROM schema_version", ct);
        for (var i = version; i < PostgresSchema.Migrations.Length; i++)
        {
            await Execute(connection, PostgresSchema.Migrations[i], ct);
            await Execute(connection, "UPDATE schema_version SET version = $1", ct, P(i + 1));
        }
        await tx.CommitAsync(ct);
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken ct = default)
    {
        await using var cmd = Command("SELECT version FROM schema_version");
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    // ---- submissions

    const string SubmissionColumns = """
        s.id, s.client_id, s.problem_id, s.code,
        CASE WHEN s.completed_at IS NOT NULL THEN 'completed' WHEN j.status = 'running' THEN 'running' ELSE 'queued' END,
        s.result_json, s.idempotency_key, s.request_hash, s.created_at, s.completed_at, s.problem_version, s.callback_url, s.callback_surface
        """;

    public async Task<(InsertOutcome Outcome, SubmissionRecord? Record)> InsertSubmissionAsync(
        NewSubmission s, int queueCapacity, CancellationToken ct = default)
    {
        // One statement: the earlier submission with this key, else the capacity check, else the submission and its job
        // (and a wake-up for the workers). A concurrent insert with the same key makes ON CONFLICT skip; it is read below.
        await using var cmd = Command($"""
            WITH earlier AS (
                SELECT {SubmissionColumns} FROM submissions s LEFT JOIN jobs j ON j.id = s.id
                WHERE s.client_id = $2 AND s.idempotency_key = $5),
            full_queue AS (SELECT count(*) >= $10 AS is_full FROM (SELECT 1 FROM jobs WHERE status = 'queued' LIMIT $10) q),
            inserted AS (
                INSERT INTO submissions (id, client_id, problem_id, code, idempotency_key, request_hash, created_at, callback_url, callback_surface)
                SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
                WHERE NOT EXISTS (SELECT 1 FROM earlier) AND NOT (SELECT is_full FROM full_queue)
                ON CONFLICT (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                RETURNING id, client_id, created_at),
            job AS (
                INSERT INTO jobs (id, kind, client_id, status, queued_at)
                SELECT id, 'submission', client_id, 'queued', created_at FROM inserted RETURNING 1)
            SELECT CASE WHEN EXISTS (SELECT 1 FROM earlier) THEN 'existing'
                        WHEN judge_wake_workers((SELECT count(*) FROM job)) > 0 THEN 'inserted'
                        WHEN (SELECT is_full FROM full_queue) THEN 'full'
                        ELSE 'raced' END,
                   e.*
            FROM (SELECT 1) one LEFT JOIN earlier e ON true
            """,
            P(s.Id), P(s.ClientId), P(s.ProblemId), P(s.Code), P(s.IdempotencyKey), P(s.RequestHash), P(Utc(s.CreatedAt)),
            P(s.Callback?.Url), P(s.Callback?.Surface), P(queueCapacity));
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            switch (reader.GetString(0))
            {
                case "existing": return (InsertOutcome.Existing, ReadSubmission(reader, 1));
                case "full": return (InsertOutcome.QueueFull, null);
                case "inserted":
                    return (InsertOutcome.Inserted, new SubmissionRecord(
                        s.Id, s.ClientId, s.ProblemId, s.Code, SubmissionStatus.Queued, null, s.IdempotencyKey, s.RequestHash, s.CreatedAt, null)
                    { Callback = s.Callback });
            }
        }
        // Another node stored a submission with this key between our read and our insert.
        return await FindByIdempotencyKeyAsync(s.ClientId, s.IdempotencyKey!, ct) is { } raced
            ? (InsertOutcome.Existing, raced)
            : throw new InvalidOperationException($"submission {s.Id} was neither stored nor found by its idempotency key");
    }

    public Task<SubmissionRecord?> GetSubmissionAsync(Guid id, CancellationToken ct = default) =>
        QuerySubmission("s.id = $1", ct, P(id));

    public Task<SubmissionRecord?> FindByIdempotencyKeyAsync(string clientId, string key, CancellationToken ct = default) =>
        QuerySubmission("s.client_id = $1 AND s.idempotency_key = $2", ct, P(clientId), P(key));

    async Task<SubmissionRecord?> QuerySubmission(string where, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var cmd = Command(
            $"SELECT {SubmissionColumns} FROM submissions s LEFT JOIN jobs j ON j.id = s.id WHERE {where}", parameters);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadSubmission(reader, 0) : null;
    }

    static SubmissionRecord ReadSubmission(NpgsqlDataReader r, int o) => new(
        r.GetGuid(o), r.GetString(o + 1), r.GetString(o + 2), r.GetString(o + 3), ParseStatus(r.GetString(o + 4)),
        NullableString(r, o + 5), NullableString(r, o + 6), NullableString(r, o + 7), r.GetFieldValue<DateTimeOffset>(o + 8),
        NullableTime(r, o + 9))
    { ProblemVersion = NullableString(r, o + 10), Callback = CallbackOf(r, o + 11) };

    // ---- requests

    public async Task<InsertOutcome> InsertRequestAsync(NewRequest r, int queueCapacity, int maxPendingPerClient, CancellationToken ct = default)
    {
        await using var cmd = Command("""
            WITH full_queue AS (SELECT count(*) >= $8 AS is_full FROM (SELECT 1 FROM jobs WHERE status = 'queued' LIMIT $8) q),
            busy AS (SELECT (SELECT count(*) FROM jobs WHERE status = 'queued' AND client_id = $3 AND kind = $2)
                          + (SELECT count(*) FROM jobs WHERE status = 'running' AND client_id = $3 AND kind = $2) >= $9 AS busy),
            inserted AS (
                INSERT INTO requests (id, kind, client_id, payload, created_at, callback_url, callback_surface)
                SELECT $1, $2, $3, $4, $5, $6, $7
                WHERE NOT (SELECT is_full FROM full_queue) AND NOT (SELECT busy FROM busy)
                RETURNING id, kind, client_id, created_at),
            job AS (
                INSERT INTO jobs (id, kind, client_id, status, queued_at)
                SELECT id, kind, client_id, 'queued', created_at FROM inserted RETURNING 1)
            SELECT CASE WHEN judge_wake_workers((SELECT count(*) FROM job)) > 0 THEN 'inserted'
                        WHEN (SELECT is_full FROM full_queue) THEN 'full'
                        ELSE 'busy' END
            """,
            P(r.Id), P(KindName(r.Kind)), P(r.ClientId), P(r.PayloadJson), P(Utc(r.CreatedAt)), P(r.Callback?.Url),
            P(r.Callback?.Surface), P(queueCapacity), P(maxPendingPerClient));
        return (string)(await cmd.ExecuteScalarAsync(ct))! switch
        {
            "inserted" => InsertOutcome.Inserted,
            "full" => InsertOutcome.QueueFull,
            _ => InsertOutcome.ClientBusy,
        };
    }

    public async Task<RequestRecord?> GetRequestAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = Command("""
            SELECT r.id, r.kind, r.client_id,
                   CASE WHEN r.completed_at IS NOT NULL THEN 'completed' WHEN j.status = 'running' THEN 'running' ELSE 'queued' END,
                   r.payload, r.result, r.created_at, r.completed_at, r.callback_url, r.callback_surface
            FROM requests r LEFT JOIN jobs j ON j.id = r.id WHERE r.id = $1
            """, P(id));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new RequestRecord(
            reader.GetGuid(0), ParseKind(reader.GetString(1)), reader.GetString(2), ParseStatus(reader.GetString(3)),
            reader.GetString(4), NullableString(reader, 5), reader.GetFieldValue<DateTimeOffset>(6), NullableTime(reader, 7))
        { Callback = CallbackOf(reader, 8) };
    }

    public async Task AbandonRequestAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = Command("""
            WITH dropped AS (DELETE FROM jobs WHERE id = $1 AND status = 'queued' RETURNING id)
            DELETE FROM requests WHERE id IN (SELECT id FROM dropped)
            """, P(id));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task DeleteRequestAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = Command("DELETE FROM requests WHERE id = $1 AND completed_at IS NOT NULL", P(id));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyDictionary<DateOnly, int>> CountRequestsByDayAsync(JobKind kind, DateTimeOffset since, CancellationToken ct = default)
    {
        await using var cmd = Command("""
            SELECT (created_at AT TIME ZONE 'UTC')::date, count(*)::int FROM requests WHERE kind = $1 AND created_at >= $2 GROUP BY 1
            """, P(KindName(kind)), P(Utc(since)));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var days = new Dictionary<DateOnly, int>();
        while (await reader.ReadAsync(ct)) days[reader.GetFieldValue<DateOnly>(0)] = reader.GetInt32(1);
        return days;
    }

    // ---- the queue

    public async Task<ClaimedJob?> ClaimAsync(string workerId, TimeSpan lease, int maxRunningPerClient, CancellationToken ct = default)
    {
        await using var cmd = Command(
            "SELECT id, kind, client_id, attempts, queued_at FROM judge_claim($1, $2, $3)", P(workerId), P(lease), P(maxRunningPerClient));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new ClaimedJob(reader.GetGuid(0), ParseKind(reader.GetString(1)), reader.GetString(2), reader.GetInt32(3), workerId,
            reader.GetFieldValue<DateTimeOffset>(4));
    }

    public async Task<bool> RenewAsync(ClaimedJob job, TimeSpan lease, CancellationToken ct = default)
    {
        await using var cmd = Command("""
            UPDATE jobs SET lease_expires_at = now() + $4
            WHERE id = $1 AND status = 'running' AND worker_id = $2 AND attempts = $3
            """, P(job.Id), P(job.WorkerId), P(job.Attempt), P(lease));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public Task<bool> CompleteSubmissionAsync(ClaimedJob job, CompletedSubmission result, CancellationToken ct = default) =>
        CompleteAsync(job, """
            UPDATE submissions s SET result_json = $5, completed_at = now(), problem_version = $6
            FROM done WHERE s.id = done.id RETURNING s.id, s.callback_url, s.callback_surface, s.client_id
            """, ct, P(result.ResultJson), P(result.ProblemVersion));

    public Task<bool> CompleteRequestAsync(ClaimedJob job, string resultJson, CancellationToken ct = default) =>
        CompleteAsync(job, """
            UPDATE requests r SET result = $5, completed_at = now()
            FROM done WHERE r.id = done.id RETURNING r.id, r.callback_url, r.callback_surface, r.client_id
            """, ct, P(resultJson));

    /// <summary>Removes the job if this worker still holds it, stores the result ($5, ...), queues the webhook delivery and
    /// tells the waiters, in one statement: a late duplicate finds no job and changes nothing.</summary>
    async Task<bool> CompleteAsync(ClaimedJob job, string storeResult, CancellationToken ct, params NpgsqlParameter[] result)
    {
        await using var cmd = Command($"""
            WITH done AS (
                DELETE FROM jobs WHERE id = $1 AND status = 'running' AND worker_id = $2 AND attempts = $3 RETURNING id),
            stored AS ({storeResult}),
            hook AS (
                INSERT INTO webhook_deliveries (id, source_id, url, surface, client_id, status, attempts, created_at, next_attempt_at)
                SELECT $4, id, callback_url, callback_surface, client_id, 'pending', 0, now(), now()
                FROM stored WHERE callback_url IS NOT NULL)
            SELECT (SELECT count(*) FROM done), (SELECT count(pg_notify('{PostgresSchema.DoneChannel}', id::text)) FROM stored)
            """, [P(job.Id), P(job.WorkerId), P(job.Attempt), P(Guid.NewGuid()), .. result]);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetInt64(0) == 1;
    }

    public async Task ReleaseAsync(ClaimedJob job, CancellationToken ct = default)
    {
        await using var cmd = Command("""
            WITH released AS (
                UPDATE jobs SET status = 'queued', worker_id = NULL, lease_expires_at = NULL, attempts = attempts - 1
                WHERE id = $1 AND status = 'running' AND worker_id = $2 AND attempts = $3 RETURNING 1)
            SELECT judge_wake_workers(count(*)) FROM released
            """, P(job.Id), P(job.WorkerId), P(job.Attempt));
        await cmd.ExecuteScalarAsync(ct);
    }

    public Task<int> RequeueExpiredAsync(CancellationToken ct = default) => RequeueAsync("lease_expires_at < now()", ct);

    public Task<int> RequeueAllRunningAsync(CancellationToken ct = default) => RequeueAsync("true", ct);

    async Task<int> RequeueAsync(string condition, CancellationToken ct)
    {
        await using var cmd = Command($"""
            WITH requeued AS (
                UPDATE jobs SET status = 'queued', worker_id = NULL, lease_expires_at = NULL
                WHERE status = 'running' AND {condition} RETURNING 1)
            SELECT judge_wake_workers(count(*)) FROM requeued
            """);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<QueueCounts> GetQueueCountsAsync(CancellationToken ct = default)
    {
        await using var cmd = Command(
            "SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running') FROM jobs");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new QueueCounts((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        _listener.Start();
        return _signals.WaitForWorkAsync(timeout < PollInterval ? timeout : PollInterval, ct);
    }

    public Task WaitForCompletionAsync(Guid id, TimeSpan timeout, CancellationToken ct = default)
    {
        _listener.Start();
        // Subscribes before it reads (StoreSignals), so a completion between the read and the wait is not missed; a
        // lost notification (the listener reconnecting) costs at most a poll interval.
        return _signals.WaitForCompletionAsync(id, timeout, IsSettledAsync, ct, PollInterval);
    }

    /// <summary>Completed, or unknown (nothing to wait for).</summary>
    async Task<bool> IsSettledAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = Command("""
            SELECT completed_at IS NOT NULL FROM submissions WHERE id = $1
            UNION ALL SELECT completed_at IS NOT NULL FROM requests WHERE id = $1
            """, P(id));
        return await cmd.ExecuteScalarAsync(ct) is not false;
    }

    // ---- problems

    public async Task<long> SaveProblemAsync(string id, string document, CancellationToken ct = default)
    {
        // The lock orders problem writes, so revisions become visible in the order they are handed out (a node that has
        // read revision N never misses a change numbered below N). The second statement's snapshot follows the lock.
        await using var batch = ProblemWrite("""
            INSERT INTO problems (id, document, version, revision, updated_at)
            VALUES ($1, $2, 1, (SELECT coalesce(max(revision), 0) + 1 FROM problems), now())
            ON CONFLICT (id) DO UPDATE SET document = excluded.document, version = problems.version + 1,
                revision = excluded.revision, updated_at = excluded.updated_at
            RETURNING version
            """, P(id), P(document));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetInt64(0);
    }

    public async Task<bool> DeleteProblemAsync(string id, CancellationToken ct = default)
    {
        await using var batch = ProblemWrite("""
            UPDATE problems SET document = NULL, version = version + 1,
                revision = (SELECT coalesce(max(revision), 0) + 1 FROM problems), updated_at = now()
            WHERE id = $1 AND document IS NOT NULL
            """, P(id));
        await batch.ExecuteNonQueryAsync(ct);
        return batch.BatchCommands[1].RecordsAffected == 1;
    }

    NpgsqlBatch ProblemWrite(string sql, params NpgsqlParameter[] parameters)
    {
        // A batch without a transaction runs as one implicit transaction: the lock is held until its end.
        var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)") { Parameters = { P(PostgresSchema.ProblemsLock) } });
        var write = new NpgsqlBatchCommand(sql);
        write.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(write);
        return batch;
    }

    public async Task<IReadOnlyList<StoredProblem>> GetProblemChangesAsync(long afterRevision, CancellationToken ct = default)
    {
        await using var cmd = Command(
            "SELECT id, document, version, revision FROM problems WHERE revision > $1 ORDER BY revision", P(afterRevision));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<StoredProblem>();
        while (await reader.ReadAsync(ct))
            list.Add(new StoredProblem(reader.GetString(0), NullableString(reader, 1), reader.GetInt64(2), reader.GetInt64(3)));
        return list;
    }

    // ---- webhooks

    const string WebhookColumns =
        "id, source_id, url, surface, client_id, status, attempts, created_at, next_attempt_at, delivered_at, last_status_code, last_error";

    public async Task<IReadOnlyList<WebhookDelivery>> ClaimDueWebhooksAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default)
    {
        await using var cmd = Command($"""
            UPDATE webhook_deliveries SET worker_id = $1, lease_expires_at = now() + $2
            WHERE id IN (
                SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at < now())
                ORDER BY next_attempt_at LIMIT $3
                FOR UPDATE SKIP LOCKED)
            RETURNING {WebhookColumns}
            """, P(workerId), P(lease), P(max));
        return await ReadWebhooks(cmd, ct);
    }

    public async Task RecordWebhookAttemptAsync(WebhookDelivery delivery, WebhookAttempt attempt, CancellationToken ct = default)
    {
        var status = attempt.Delivered ? "delivered" : attempt.NextAttemptAt is null ? "failed" : "pending";
        await using var cmd = Command("""
            UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, last_status_code = $3, last_error = $4,
                next_attempt_at = coalesce($5, next_attempt_at), delivered_at = CASE WHEN $6 THEN now() END,
                worker_id = NULL, lease_expires_at = NULL
            WHERE id = $1
            """, P(delivery.Id), P(status), P(attempt.StatusCode), P(attempt.Error), P(attempt.NextAttemptAt is { } next ? Utc(next) : (DateTimeOffset?)null),
            P(attempt.Delivered));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> GetWebhookDeliveriesAsync(Guid sourceId, CancellationToken ct = default)
    {
        await using var cmd = Command(
            $"SELECT {WebhookColumns} FROM webhook_deliveries WHERE source_id = $1 ORDER BY created_at", P(sourceId));
        return await ReadWebhooks(cmd, ct);
    }

    static async Task<IReadOnlyList<WebhookDelivery>> ReadWebhooks(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<WebhookDelivery>();
        while (await reader.ReadAsync(ct))
            list.Add(new WebhookDelivery(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Enum.Parse<WebhookStatus>(reader.GetString(5), ignoreCase: true), reader.GetInt32(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8))
            {
                DeliveredAt = NullableTime(reader, 9),
                LastStatusCode = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                LastError = NullableString(reader, 11),
            });
        return list;
    }

    // ---- retention

    public async Task<PurgeCounts> PurgeAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var cmd = Command("""
            WITH s AS (DELETE FROM submissions WHERE completed_at < $1 RETURNING id),
            r AS (DELETE FROM requests WHERE completed_at < $1 RETURNING id),
            w AS (DELETE FROM webhook_deliveries WHERE source_id IN (SELECT id FROM s UNION ALL SELECT id FROM r))
            SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM r)
            """, P(Utc(before)));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new PurgeCounts((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    // ---- plumbing

    NpgsqlCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = _dataSource.CreateCommand(sql);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    static NpgsqlParameter P<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddRange(parameters);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }

    static Callback? CallbackOf(NpgsqlDataReader reader, int urlColumn) =>
        reader.IsDBNull(urlColumn) ? null : new Callback(reader.GetString(urlColumn), reader.GetString(urlColumn + 1));

    static string KindName(JobKind kind) => kind switch
    {
        JobKind.Submission => "submission",
        JobKind.Run => "run",
        _ => "validation",
    };

    static JobKind ParseKind(string kind) => kind switch
    {
        "submission" => JobKind.Submission,
        "run" => JobKind.Run,
        "validation" => JobKind.Validation,
        _ => throw new InvalidDataException($"unknown job kind '{kind}'"),
    };

    static SubmissionStatus ParseStatus(string status) => Enum.Parse<SubmissionStatus>(status, ignoreCase: true);

    static string? NullableString(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);

    /// <summary>timestamptz takes UTC offsets only.</summary>
    static DateTimeOffset Utc(DateTimeOffset t) => t.ToUniversalTime();
}
