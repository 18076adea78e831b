namespace Judge.Storage.Sqlite;

/// <summary>The SQLite schema as ordered migrations: a database at version N runs the scripts after N, in one transaction.</summary>
internal static class SqliteSchema
{
    public static readonly string[] Migrations =
    [
        // 1: round 1's schema.
        """
        CREATE TABLE submissions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            client_id TEXT NOT NULL,
            problem_id TEXT NOT NULL,
            code TEXT NOT NULL,
            status TEXT NOT NULL,
            result_json TEXT,
            idempotency_key TEXT,
            request_hash TEXT,
            created_at TEXT NOT NULL,
            completed_at TEXT);
        CREATE UNIQUE INDEX ix_submissions_idempotency ON submissions (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_submissions_status ON submissions (status, seq);
        CREATE TABLE problems (
            id TEXT PRIMARY KEY,
            document TEXT NOT NULL,
            updated_at TEXT NOT NULL);
        """,
        // 2: the queue as a table (jobs, leased by workers), requests an API node waits on, versioned problems with
        // tombstones, the problem version a submission was graded against, callbacks and their outbox.
        """
        CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            client_id TEXT NOT NULL,
            status TEXT NOT NULL,
            worker_id TEXT,
            lease_expires_at INTEGER,
            attempts INTEGER NOT NULL,
            queued_at INTEGER NOT NULL);
        CREATE INDEX ix_jobs_status_client ON jobs (status, client_id, seq);
        INSERT INTO jobs (id, kind, client_id, status, attempts, queued_at)
            SELECT id, 'submission', client_id, 'queued', 0, CAST(strftime('%s', 'now') AS INTEGER) * 1000
            FROM submissions WHERE status IN ('queued', 'running') ORDER BY seq;
        UPDATE submissions SET status = 'queued' WHERE status = 'running';

        CREATE TABLE requests (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            client_id TEXT NOT NULL,
            status TEXT NOT NULL,
            payload TEXT NOT NULL,
            result TEXT,
            created_at TEXT NOT NULL,
            completed_at TEXT,
            callback_url TEXT,
            callback_surface TEXT);
        CREATE INDEX ix_requests_completed ON requests (status, completed_at);

        ALTER TABLE submissions ADD COLUMN problem_version TEXT;
        ALTER TABLE submissions ADD COLUMN callback_url TEXT;
        ALTER TABLE submissions ADD COLUMN callback_surface TEXT;
        CREATE INDEX ix_submissions_completed ON submissions (status, completed_at);

        CREATE TABLE problems_v2 (
            id TEXT PRIMARY KEY,
            document TEXT,
            version INTEGER NOT NULL,
            revision INTEGER NOT NULL UNIQUE,
            updated_at TEXT NOT NULL);
        INSERT INTO problems_v2 (id, document, version, revision, updated_at)
            SELECT id, document, 1, row_number() OVER (ORDER BY updated_at, id), updated_at FROM problems;
        DROP TABLE problems;
        ALTER TABLE problems_v2 RENAME TO problems;

        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            source_id TEXT NOT NULL,
            url TEXT NOT NULL,
            surface TEXT NOT NULL,
            client_id TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            delivered_at INTEGER,
            last_status_code INTEGER,
            last_error TEXT,
            worker_id TEXT,
            lease_expires_at INTEGER);
        CREATE INDEX ix_webhooks_due ON webhook_deliveries (status, next_attempt_at);
        CREATE INDEX ix_webhooks_source ON webhook_deliveries (source_id);
        """,
    ];
}
