namespace Judge.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema as ordered migrations. A database at version N runs the scripts after N in one transaction,
/// under an advisory lock, so the first node to start migrates and the others wait and then find nothing to do.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The migration lock (pg_advisory_xact_lock, one-key space).</summary>
    public const long MigrationLock = 0x4A75_6467_0001; // "Judg" 1

    /// <summary>Serialises problem writes so revisions commit in the order they are handed out (pg_advisory_xact_lock).</summary>
    public const long ProblemsLock = 0x4A75_6467_0002;

    /// <summary>Channels of NOTIFY: work may be claimable; a submission or request (payload: its id) completed.</summary>
    public const string WorkChannel = "judge_work";
    public const string DoneChannel = "judge_done";

    public static readonly string[] Migrations =
    [
        // 1: the whole schema of round 2 (PostgreSQL starts there). A submission's or request's status is not stored:
        // completed when completed_at is set, otherwise its job's status (queued or running), so a claim writes one row.
        """
        CREATE TABLE submissions (
            id uuid PRIMARY KEY,
            client_id text NOT NULL,
            problem_id text NOT NULL,
            code text NOT NULL,
            result_json text,
            idempotency_key text,
            request_hash text,
            created_at timestamptz NOT NULL,
            completed_at timestamptz,
            problem_version text,
            callback_url text,
            callback_surface text);
        CREATE UNIQUE INDEX ix_submissions_idempotency ON submissions (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_submissions_completed ON submissions (completed_at) WHERE completed_at IS NOT NULL;

        CREATE TABLE requests (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            client_id text NOT NULL,
            payload text NOT NULL,
            result text,
            created_at timestamptz NOT NULL,
            completed_at timestamptz,
            callback_url text,
            callback_surface text);
        CREATE INDEX ix_requests_completed ON requests (completed_at) WHERE completed_at IS NOT NULL;

        -- The queue: one row per submission or request not yet completed. Rows are short-lived (deleted on completion),
        -- so autovacuum is told to keep up with them.
        CREATE TABLE jobs (
            id uuid PRIMARY KEY,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            kind text NOT NULL,
            client_id text NOT NULL,
            status text NOT NULL CHECK (status IN ('queued', 'running')),
            worker_id text,
            lease_expires_at timestamptz,
            attempts integer NOT NULL DEFAULT 0,
            queued_at timestamptz NOT NULL)
            WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 200, fillfactor = 80);
        -- Each client's queue in order: the claim reads one entry per client (its head), never the whole queue.
        CREATE INDEX ix_jobs_queued ON jobs (client_id, seq) WHERE status = 'queued';
        -- Running jobs: as many as the cluster has sandbox slots; per-client counts and expired leases come from here.
        CREATE INDEX ix_jobs_running ON jobs (client_id, lease_expires_at) WHERE status = 'running';

        CREATE TABLE problems (
            id text PRIMARY KEY,
            document text,
            version bigint NOT NULL,
            revision bigint NOT NULL UNIQUE,
            updated_at timestamptz NOT NULL);

        CREATE TABLE webhook_deliveries (
            id uuid PRIMARY KEY,
            source_id uuid NOT NULL,
            url text NOT NULL,
            surface text NOT NULL,
            client_id text NOT NULL,
            status text NOT NULL,
            attempts integer NOT NULL,
            created_at timestamptz NOT NULL,
            next_attempt_at timestamptz NOT NULL,
            delivered_at timestamptz,
            last_status_code integer,
            last_error text,
            worker_id text,
            lease_expires_at timestamptz);
        CREATE INDEX ix_webhooks_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX ix_webhooks_source ON webhook_deliveries (source_id);

        -- Wakes the workers (every node LISTENs) when n > 0 jobs became claimable; returns n.
        CREATE FUNCTION judge_wake_workers(n bigint) RETURNS bigint LANGUAGE plpgsql AS $$
        BEGIN
            IF n > 0 THEN PERFORM pg_notify('judge_work', ''); END IF;
            RETURN n;
        END $$;

        -- Takes the head of one client's queue if the client is under its cap; the caller holds the client's lock.
        CREATE FUNCTION judge_claim_head(p_client text, p_worker text, p_lease interval, p_cap integer)
        RETURNS TABLE (id uuid, kind text, client_id text, attempts integer, queued_at timestamptz)
        LANGUAGE sql AS $$
            UPDATE jobs j SET status = 'running', worker_id = p_worker, lease_expires_at = now() + p_lease,
                attempts = j.attempts + 1
            WHERE j.id = (SELECT q.id FROM jobs q WHERE q.status = 'queued' AND q.client_id = p_client ORDER BY q.seq LIMIT 1)
              AND j.status = 'queued'
              AND (SELECT count(*) FROM jobs r WHERE r.status = 'running' AND r.client_id = p_client) < p_cap
            RETURNING j.id, j.kind, j.client_id, j.attempts, j.queued_at
        $$;

        -- Claims the next job fairly, in one round trip. Candidates are the heads of the clients' queues (a skip scan of
        -- ix_jobs_queued: one index probe per client with queued work, never a sort of the whole queue), ordered by the
        -- client's running jobs, then age. A claimer takes the client's transaction-level advisory lock, skipping
        -- clients another claimer holds, then re-checks the cap and takes the head with a fresh snapshot (each
        -- statement of a plpgsql function takes one): claims for one client are serialised, so the cap holds exactly
        -- however many workers claim at once. A claimer that found every candidate locked (one busy client) waits for
        -- the first one's lock instead of coming back empty; holding no other lock, it cannot deadlock.
        CREATE FUNCTION judge_claim(p_worker text, p_lease interval, p_cap integer)
        RETURNS TABLE (id uuid, kind text, client_id text, attempts integer, queued_at timestamptz)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            c record;
            skipped text;
            locked boolean := false;
        BEGIN
            FOR c IN
                WITH RECURSIVE heads AS (
                    (SELECT q.client_id, q.seq FROM jobs q WHERE q.status = 'queued' ORDER BY q.client_id, q.seq LIMIT 1)
                    UNION ALL
                    SELECT n.client_id, n.seq FROM heads h CROSS JOIN LATERAL (
                        SELECT q.client_id, q.seq FROM jobs q WHERE q.status = 'queued' AND q.client_id > h.client_id
                        ORDER BY q.client_id, q.seq LIMIT 1) n),
                busy AS (SELECT r.client_id, count(*) AS n FROM jobs r WHERE r.status = 'running' GROUP BY r.client_id)
                SELECT h.client_id FROM heads h LEFT JOIN busy b ON b.client_id = h.client_id
                WHERE coalesce(b.n, 0) < p_cap
                ORDER BY coalesce(b.n, 0), h.seq
            LOOP
                IF NOT pg_try_advisory_xact_lock(1249207655, hashtext(c.client_id)) THEN
                    skipped := coalesce(skipped, c.client_id);
                    CONTINUE;
                END IF;
                locked := true;
                RETURN QUERY SELECT * FROM judge_claim_head(c.client_id, p_worker, p_lease, p_cap);
                IF FOUND THEN RETURN; END IF;
            END LOOP;
            IF NOT locked AND skipped IS NOT NULL THEN
                PERFORM pg_advisory_xact_lock(1249207655, hashtext(skipped));
                RETURN QUERY SELECT * FROM judge_claim_head(skipped, p_worker, p_lease, p_cap);
            END IF;
        END $$;
        """,
    ];
}
