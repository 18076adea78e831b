using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Judge.Storage.Sqlite;

/// <summary>
/// The store of one machine: SQLite in WAL mode under the data directory. The queue is a table like PostgreSQL's; SQLite
/// serialises writers, so a claim is one IMMEDIATE transaction. Wake-ups are in-process signals (every node that shares
/// this file is this process).
/// </summary>
internal sealed class SqliteJudgeStore : IJudgeStore
{
    readonly string _connectionString;
    readonly StoreSignals _signals = new();

    public SqliteJudgeStore(string databasePath)
    {
        DatabasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath, Pooling = true, DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public Task MigrateAsync(CancellationToken ct = default)
    {
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        using var tx = connection.BeginTransaction();
        Execute(connection, "INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)", tx);
        var version = (int)Scalar<long>(connection, "SELECT version FROM schema_version", tx);
        for (var i = version; i < SqliteSchema.Migrations.Length; i++)
        {
            Execute(connection, SqliteSchema.Migrations[i], tx);
            Execute(connection, $"UPDATE schema_version SET version = {i + 1}", tx);
        }
        tx.Commit();
        return Task.CompletedTask;
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken ct = default)
    {
        using var connection = Open();
        return Task.FromResult((int)Scalar<long>(connection, "SELECT version FROM schema_version"));
    }

    // ---- submissions

    public Task<(InsertOutcome Outcome, SubmissionRecord? Record)> InsertSubmissionAsync(
        NewSubmission s, int queueCapacity, CancellationToken ct = default)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        if (s.IdempotencyKey is not null && QuerySubmissions(connection, tx, "WHERE client_id = $a AND idempotency_key = $b", s.ClientId, s.IdempotencyKey) is [var earlier, ..])
            return Task.FromResult<(InsertOutcome, SubmissionRecord?)>((InsertOutcome.Existing, earlier));
        if (Scalar<long>(connection, "SELECT count(*) FROM jobs WHERE status = 'queued'", tx) >= queueCapacity)
            return Task.FromResult<(InsertOutcome, SubmissionRecord?)>((InsertOutcome.QueueFull, null));
        var now = s.CreatedAt;
        Command(connection, tx, """
            INSERT INTO submissions (id, client_id, problem_id, code, status, idempotency_key, request_hash, created_at, callback_url, callback_surface)
            VALUES ($id, $client, $problem, $code, 'queued', $key, $hash, $created, $url, $surface)
            """,
            ("$id", s.Id.ToString()), ("$client", s.ClientId), ("$problem", s.ProblemId), ("$code", s.Code),
            ("$key", s.IdempotencyKey), ("$hash", s.RequestHash), ("$created", Iso(now)), ("$url", s.Callback?.Url),
            ("$surface", s.Callback?.Surface)).ExecuteNonQuery();
        InsertJob(connection, tx, s.Id, JobKind.Submission, s.ClientId, now);
        tx.Commit();
        _signals.PulseWork();
        return Task.FromResult<(InsertOutcome, SubmissionRecord?)>((InsertOutcome.Inserted, new SubmissionRecord(
            s.Id, s.ClientId, s.ProblemId, s.Code, SubmissionStatus.Queued, null, s.IdempotencyKey, s.RequestHash, now, null)
        { Callback = s.Callback }));
    }

    public Task<SubmissionRecord?> GetSubmissionAsync(Guid id, CancellationToken ct = default)
    {
        using var connection = Open();
        return Task.FromResult(QuerySubmissions(connection, null, "WHERE id = $a", id.ToString()).FirstOrDefault());
    }

    public Task<SubmissionRecord?> FindByIdempotencyKeyAsync(string clientId, string key, CancellationToken ct = default)
    {
        using var connection = Open();
        return Task.FromResult(QuerySubmissions(connection, null, "WHERE client_id = $a AND idempotency_key = $b", clientId, key).FirstOrDefault());
    }

    // ---- requests

    public Task<InsertOutcome> InsertRequestAsync(NewRequest r, int queueCapacity, int maxPendingPerClient, CancellationToken ct = default)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        if (Scalar<long>(connection, "SELECT count(*) FROM jobs WHERE status = 'queued'", tx) >= queueCapacity)
            return Task.FromResult(InsertOutcome.QueueFull);
        var pending = Command(connection, tx, "SELECT count(*) FROM jobs WHERE client_id = $c AND kind = $k",
            ("$c", r.ClientId), ("$k", KindName(r.Kind))).ExecuteScalar();
        if ((long)pending! >= maxPendingPerClient) return Task.FromResult(InsertOutcome.ClientBusy);
        Command(connection, tx, """
            INSERT INTO requests (id, kind, client_id, status, payload, created_at, callback_url, callback_surface)
            VALUES ($id, $kind, $client, 'queued', $payload, $created, $url, $surface)
            """,
            ("$id", r.Id.ToString()), ("$kind", KindName(r.Kind)), ("$client", r.ClientId), ("$payload", r.PayloadJson),
            ("$created", Iso(r.CreatedAt)), ("$url", r.Callback?.Url), ("$surface", r.Callback?.Surface)).ExecuteNonQuery();
        InsertJob(connection, tx, r.Id, r.Kind, r.ClientId, r.CreatedAt);
        tx.Commit();
        _signals.PulseWork();
        return Task.FromResult(InsertOutcome.Inserted);
    }

    public Task<RequestRecord?> GetRequestAsync(Guid id, CancellationToken ct = default)
    {
        using var connection = Open();
        using var cmd = Command(connection, null, """
            SELECT id, kind, client_id, status, payload, result, created_at, completed_at, callback_url, callback_surface
            FROM requests WHERE id = $id
            """, ("$id", id.ToString()));
        using var reader = cmd.ExecuteReader();
        if (!reader.Read()) return Task.FromResult<RequestRecord?>(null);
        return Task.FromResult<RequestRecord?>(new RequestRecord(
            Guid.Parse(reader.GetString(0)), ParseKind(reader.GetString(1)), reader.GetString(2), ParseStatus(reader.GetString(3)),
            reader.GetString(4), NullableString(reader, 5), ParseIso(reader.GetString(6)), NullableIso(reader, 7))
        { Callback = CallbackOf(reader, 8) });
    }

    public Task AbandonRequestAsync(Guid id, CancellationToken ct = default)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var removed = Command(connection, tx, "DELETE FROM jobs WHERE id = $id AND status = 'queued'", ("$id", id.ToString())).ExecuteNonQuery();
        if (removed == 1) Command(connection, tx, "DELETE FROM requests WHERE id = $id", ("$id", id.ToString())).ExecuteNonQuery();
        tx.Commit();
        return Task.CompletedTask;
    }

    public Task DeleteRequestAsync(Guid id, CancellationToken ct = default)
    {
        using var connection = Open();
        Command(connection, null, "DELETE FROM requests WHERE id = $id AND status = 'completed'", ("$id", id.ToString())).ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<DateOnly, int>> CountRequestsByDayAsync(JobKind kind, DateTimeOffset since, CancellationToken ct = default)
    {
        using var connection = Open();
        // created_at is ISO 8601 in UTC (Iso), so its first ten characters are the UTC day and text order is time order.
        using var cmd = Command(connection, null, """
            SELECT substr(created_at, 1, 10), count(*) FROM requests WHERE kind = $kind AND created_at >= $since GROUP BY 1
            """, ("$kind", KindName(kind)), ("$since", Iso(since < MinIso ? MinIso : since)));
        using var reader = cmd.ExecuteReader();
        var days = new Dictionary<DateOnly, int>();
        while (reader.Read())
            days[DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture)] = reader.GetInt32(1);
        return Task.FromResult<IReadOnlyDictionary<DateOnly, int>>(days);
    }

    static readonly DateTimeOffset MinIso = new(1, 1, 2, 0, 0, 0, TimeSpan.Zero);

    // ---- the queue

    public Task<ClaimedJob?> ClaimAsync(string workerId, TimeSpan lease, int maxRunningPerClient, CancellationToken ct = default)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        // The head of each client's queue; the client with the fewest jobs running goes first, then the oldest head.
        using var claim = Command(connection, tx, """
            UPDATE jobs SET status = 'running', worker_id = $worker, lease_expires_at = $expires, attempts = attempts + 1
            WHERE seq = (
                WITH busy AS (SELECT client_id, count(*) AS n FROM jobs WHERE status = 'running' GROUP BY client_id),
                     heads AS (SELECT client_id, min(seq) AS seq FROM jobs WHERE status = 'queued' GROUP BY client_id)
                SELECT h.seq FROM heads h LEFT JOIN busy b ON b.client_id = h.client_id
                WHERE coalesce(b.n, 0) < $cap
                ORDER BY coalesce(b.n, 0), h.seq LIMIT 1)
            RETURNING id, kind, client_id, attempts, queued_at
            """,
            ("$worker", workerId), ("$expires", UnixMs(DateTimeOffset.UtcNow + lease)), ("$cap", maxRunningPerClient));
        ClaimedJob? job = null;
        using (var reader = claim.ExecuteReader())
        {
            if (reader.Read())
                job = new ClaimedJob(Guid.Parse(reader.GetString(0)), ParseKind(reader.GetString(1)), reader.GetString(2),
                    reader.GetInt32(3), workerId, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
        }
        if (job is not null)
        {
            var table = job.Kind == JobKind.Submission ? "submissions" : "requests";
            Command(connection, tx, $"UPDATE {table} SET status = 'running' WHERE id = $id", ("$id", job.Id.ToString())).ExecuteNonQuery();
        }
        tx.Commit();
        return Task.FromResult(job);
    }

    public Task<bool> RenewAsync(ClaimedJob job, TimeSpan lease, CancellationToken ct = default)
    {
        using var connection = Open();
        var renewed = Command(connection, null,
            "UPDATE jobs SET lease_expires_at = $expires WHERE id = $id AND status = 'running' AND worker_id = $worker AND attempts = $attempt",
            ("$expires", UnixMs(DateTimeOffset.UtcNow + lease)), ("$id", job.Id.ToString()), ("$worker", job.WorkerId),
            ("$attempt", job.Attempt)).ExecuteNonQuery();
        return Task.FromResult(renewed == 1);
    }

    public Task<bool> CompleteSubmissionAsync(ClaimedJob job, CompletedSubmission result, CancellationToken ct = default) =>
        Task.FromResult(Complete(job, "submissions", result.ResultJson, result.ProblemVersion));

    public Task<bool> CompleteRequestAsync(ClaimedJob job, string resultJson, CancellationToken ct = default) =>
        Task.FromResult(Complete(job, "requests", resultJson, null));

    bool Complete(ClaimedJob job, string table, string resultJson, string? problemVersion)
    {
        var now = DateTimeOffset.UtcNow;
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var removed = Command(connection, tx,
            "DELETE FROM jobs WHERE id = $id AND status = 'running' AND worker_id = $worker AND attempts = $attempt",
            ("$id", job.Id.ToString()), ("$worker", job.WorkerId), ("$attempt", job.Attempt)).ExecuteNonQuery();
        if (removed != 1) return false; // not ours any more: a late duplicate changes nothing
        var column = table == "submissions" ? "result_json" : "result";
        var versionSet = table == "submissions" ? ", problem_version = $version" : "";
        Command(connection, tx, $"UPDATE {table} SET status = 'completed', {column} = $result, completed_at = $now{versionSet} WHERE id = $id",
            ("$result", resultJson), ("$now", Iso(now)), ("$version", problemVersion), ("$id", job.Id.ToString())).ExecuteNonQuery();
        Command(connection, tx, $"""
            INSERT INTO webhook_deliveries (id, source_id, url, surface, client_id, status, attempts, created_at, next_attempt_at)
            SELECT $delivery, id, callback_url, callback_surface, client_id, 'pending', 0, $nowMs, $nowMs
            FROM {table} WHERE id = $id AND callback_url IS NOT NULL
            """, ("$delivery", Guid.NewGuid().ToString()), ("$id", job.Id.ToString()), ("$nowMs", UnixMs(now))).ExecuteNonQuery();
        tx.Commit();
        _signals.PulseCompletion(job.Id);
        return true;
    }

    public Task ReleaseAsync(ClaimedJob job, CancellationToken ct = default)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var released = Command(connection, tx, """
            UPDATE jobs SET status = 'queued', worker_id = NULL, lease_expires_at = NULL, attempts = attempts - 1
            WHERE id = $id AND status = 'running' AND worker_id = $worker AND attempts = $attempt
            """, ("$id", job.Id.ToString()), ("$worker", job.WorkerId), ("$attempt", job.Attempt)).ExecuteNonQuery();
        if (released == 1) SetQueued(connection, tx, job.Kind, job.Id);
        tx.Commit();
        if (released == 1) _signals.PulseWork();
        return Task.CompletedTask;
    }

    public Task<int> RequeueExpiredAsync(CancellationToken ct = default) =>
        Task.FromResult(Requeue("lease_expires_at < " + UnixMs(DateTimeOffset.UtcNow).ToString(CultureInfo.InvariantCulture)));

    public Task<int> RequeueAllRunningAsync(CancellationToken ct = default) => Task.FromResult(Requeue("1 = 1"));

    int Requeue(string condition)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var ids = new List<(Guid, JobKind)>();
        using (var cmd = Command(connection, tx, $"""
            UPDATE jobs SET status = 'queued', worker_id = NULL, lease_expires_at = NULL
            WHERE status = 'running' AND {condition} RETURNING id, kind
            """))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read()) ids.Add((Guid.Parse(reader.GetString(0)), ParseKind(reader.GetString(1))));
        foreach (var (id, kind) in ids) SetQueued(connection, tx, kind, id);
        tx.Commit();
        if (ids.Count > 0) _signals.PulseWork();
        return ids.Count;
    }

    static void SetQueued(SqliteConnection connection, SqliteTransaction tx, JobKind kind, Guid id) =>
        Command(connection, tx, $"UPDATE {(kind == JobKind.Submission ? "submissions" : "requests")} SET status = 'queued' WHERE id = $id",
            ("$id", id.ToString())).ExecuteNonQuery();

    public Task<QueueCounts> GetQueueCountsAsync(CancellationToken ct = default)
    {
        using var connection = Open();
        using var cmd = Command(connection, null,
            "SELECT coalesce(sum(status = 'queued'), 0), coalesce(sum(status = 'running'), 0) FROM jobs");
        using var reader = cmd.ExecuteReader();
        reader.Read();
        return Task.FromResult(new QueueCounts(reader.GetInt32(0), reader.GetInt32(1)));
    }

    public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct = default) => _signals.WaitForWorkAsync(timeout, ct);

    public Task WaitForCompletionAsync(Guid id, TimeSpan timeout, CancellationToken ct = default) =>
        _signals.WaitForCompletionAsync(id, timeout, () => IsSettled(id), ct);

    /// <summary>Completed, or unknown (nothing to wait for).</summary>
    bool IsSettled(Guid id)
    {
        using var connection = Open();
        var status = Command(connection, null,
            "SELECT status FROM submissions WHERE id = $id UNION ALL SELECT status FROM requests WHERE id = $id", ("$id", id.ToString()))
            .ExecuteScalar() as string;
        return status is null or "completed";
    }

    // ---- problems

    public Task<long> SaveProblemAsync(string id, string document, CancellationToken ct = default)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var revision = NextRevision(connection, tx);
        var version = (long)Command(connection, tx, """
            INSERT INTO problems (id, document, version, revision, updated_at) VALUES ($id, $doc, 1, $rev, $now)
            ON CONFLICT (id) DO UPDATE SET document = excluded.document, version = problems.version + 1,
                revision = excluded.revision, updated_at = excluded.updated_at
            RETURNING version
            """, ("$id", id), ("$doc", document), ("$rev", revision), ("$now", Iso(DateTimeOffset.UtcNow))).ExecuteScalar()!;
        tx.Commit();
        return Task.FromResult(version);
    }

    public Task<bool> DeleteProblemAsync(string id, CancellationToken ct = default)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var revision = NextRevision(connection, tx);
        var deleted = Command(connection, tx, """
            UPDATE problems SET document = NULL, version = version + 1, revision = $rev, updated_at = $now
            WHERE id = $id AND document IS NOT NULL
            """, ("$id", id), ("$rev", revision), ("$now", Iso(DateTimeOffset.UtcNow))).ExecuteNonQuery() == 1;
        tx.Commit();
        return Task.FromResult(deleted);
    }

    static long NextRevision(SqliteConnection connection, SqliteTransaction tx) =>
        Scalar<long>(connection, "SELECT coalesce(max(revision), 0) + 1 FROM problems", tx);

    public Task<IReadOnlyList<StoredProblem>> GetProblemChangesAsync(long afterRevision, CancellationToken ct = default)
    {
        using var connection = Open();
        using var cmd = Command(connection, null,
            "SELECT id, document, version, revision FROM problems WHERE revision > $after ORDER BY revision", ("$after", afterRevision));
        using var reader = cmd.ExecuteReader();
        var list = new List<StoredProblem>();
        while (reader.Read())
            list.Add(new StoredProblem(reader.GetString(0), NullableString(reader, 1), reader.GetInt64(2), reader.GetInt64(3)));
        return Task.FromResult<IReadOnlyList<StoredProblem>>(list);
    }

    // ---- webhooks

    public Task<IReadOnlyList<WebhookDelivery>> ClaimDueWebhooksAsync(string workerId, int max, TimeSpan lease, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        using var cmd = Command(connection, tx, $"""
            UPDATE webhook_deliveries SET worker_id = $worker, lease_expires_at = $expires
            WHERE id IN (
                SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= $now AND (lease_expires_at IS NULL OR lease_expires_at < $now)
                ORDER BY next_attempt_at LIMIT $max)
            RETURNING {WebhookColumns}
            """, ("$worker", workerId), ("$expires", UnixMs(now + lease)), ("$now", UnixMs(now)), ("$max", max));
        var list = ReadWebhooks(cmd);
        tx.Commit();
        return Task.FromResult(list);
    }

    public Task RecordWebhookAttemptAsync(WebhookDelivery delivery, WebhookAttempt attempt, CancellationToken ct = default)
    {
        var status = attempt.Delivered ? "delivered" : attempt.NextAttemptAt is null ? "failed" : "pending";
        using var connection = Open();
        Command(connection, null, """
            UPDATE webhook_deliveries SET status = $status, attempts = attempts + 1, last_status_code = $code, last_error = $error,
                next_attempt_at = coalesce($next, next_attempt_at), delivered_at = $delivered, worker_id = NULL, lease_expires_at = NULL
            WHERE id = $id
            """, ("$status", status), ("$code", attempt.StatusCode), ("$error", attempt.Error),
            ("$next", attempt.NextAttemptAt is { } next ? UnixMs(next) : null),
            ("$delivered", attempt.Delivered ? UnixMs(DateTimeOffset.UtcNow) : null), ("$id", delivery.Id.ToString())).ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WebhookDelivery>> GetWebhookDeliveriesAsync(Guid sourceId, CancellationToken ct = default)
    {
        using var connection = Open();
        using var cmd = Command(connection, null,
            $"SELECT {WebhookColumns} FROM webhook_deliveries WHERE source_id = $id ORDER BY created_at", ("$id", sourceId.ToString()));
        return Task.FromResult(ReadWebhooks(cmd));
    }

    const string WebhookColumns =
        "id, source_id, url, surface, client_id, status, attempts, created_at, next_attempt_at, delivered_at, last_status_code, last_error";

    static IReadOnlyList<WebhookDelivery> ReadWebhooks(SqliteCommand cmd)
    {
        using var reader = cmd.ExecuteReader();
        var list = new List<WebhookDelivery>();
        while (reader.Read())
            list.Add(new WebhookDelivery(
                Guid.Parse(reader.GetString(0)), Guid.Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), Enum.Parse<WebhookStatus>(reader.GetString(5), ignoreCase: true), reader.GetInt32(6),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)))
            {
                DeliveredAt = reader.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
                LastStatusCode = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                LastError = NullableString(reader, 11),
            });
        return list;
    }

    // ---- retention

    public Task<PurgeCounts> PurgeAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var cutoff = Iso(before);
        Command(connection, tx, """
            DELETE FROM webhook_deliveries WHERE source_id IN (
                SELECT id FROM submissions WHERE status = 'completed' AND completed_at < $cutoff
                UNION ALL SELECT id FROM requests WHERE status = 'completed' AND completed_at < $cutoff)
            """, ("$cutoff", cutoff)).ExecuteNonQuery();
        var submissions = Command(connection, tx, "DELETE FROM submissions WHERE status = 'completed' AND completed_at < $cutoff",
            ("$cutoff", cutoff)).ExecuteNonQuery();
        var requests = Command(connection, tx, "DELETE FROM requests WHERE status = 'completed' AND completed_at < $cutoff",
            ("$cutoff", cutoff)).ExecuteNonQuery();
        tx.Commit();
        return Task.FromResult(new PurgeCounts(submissions, requests));
    }

    // ---- plumbing

    static void InsertJob(SqliteConnection connection, SqliteTransaction tx, Guid id, JobKind kind, string clientId, DateTimeOffset queuedAt) =>
        Command(connection, tx, """
            INSERT INTO jobs (id, kind, client_id, status, attempts, queued_at) VALUES ($id, $kind, $client, 'queued', 0, $queued)
            """, ("$id", id.ToString()), ("$kind", KindName(kind)), ("$client", clientId), ("$queued", UnixMs(queuedAt))).ExecuteNonQuery();

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // WAL with NORMAL: a commit is durable against a crash of the process, not of the machine; no fsync per commit.
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;");
        return connection;
    }

    static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = Command(connection, tx, sql);
        cmd.ExecuteNonQuery();
    }

    static T Scalar<T>(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = Command(connection, tx, sql);
        return (T)cmd.ExecuteScalar()!;
    }

    static List<SubmissionRecord> QuerySubmissions(SqliteConnection connection, SqliteTransaction? tx, string where, params string[] args)
    {
        using var cmd = Command(connection, tx, $"""
            SELECT id, client_id, problem_id, code, status, result_json, idempotency_key, request_hash, created_at, completed_at,
                   problem_version, callback_url, callback_surface
            FROM submissions {where}
            """, args.Select((a, i) => ("$" + (char)('a' + i), (object?)a)).ToArray());
        using var reader = cmd.ExecuteReader();
        var list = new List<SubmissionRecord>();
        while (reader.Read())
            list.Add(new SubmissionRecord(
                Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                ParseStatus(reader.GetString(4)), NullableString(reader, 5), NullableString(reader, 6), NullableString(reader, 7),
                ParseIso(reader.GetString(8)), NullableIso(reader, 9))
            { ProblemVersion = NullableString(reader, 10), Callback = CallbackOf(reader, 11) });
        return list;
    }

    static Callback? CallbackOf(SqliteDataReader reader, int urlColumn) =>
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

    static string? NullableString(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    static DateTimeOffset? NullableIso(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : ParseIso(reader.GetString(i));

    static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    static DateTimeOffset ParseIso(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

    static long UnixMs(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
}
