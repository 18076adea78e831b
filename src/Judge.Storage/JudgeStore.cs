using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Judge.Storage;

public enum SubmissionStatus { Queued, Running, Completed }

public sealed record SubmissionRecord(
    Guid Id, string ClientId, string ProblemId, string Code, SubmissionStatus Status, string? ResultJson,
    string? IdempotencyKey, string? RequestHash, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>
/// Everything Judge keeps: submissions and API-created problems, in SQLite (WAL) under the data directory.
/// The one storage seam: a PostgreSQL version would replace this class.
/// </summary>
public sealed class JudgeStore
{
    // Ordered: a database at version N runs the scripts after N, each in its own transaction.
    static readonly string[] Migrations =
    [
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
    ];

    readonly string _connectionString;

    public JudgeStore(IOptions<StorageOptions> options)
    {
        var directory = Path.GetFullPath(options.Value.DataDirectory);
        Directory.CreateDirectory(directory);
        DatabasePath = Path.Combine(directory, "judge.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = true }.ToString();
        Migrate();
    }

    public string DatabasePath { get; }

    public int SchemaVersion => (int)Scalar<long>("SELECT version FROM schema_version");

    void Migrate()
    {
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        using (var init = connection.CreateCommand())
        {
            init.CommandText = "INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)";
            init.ExecuteNonQuery();
        }
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT version FROM schema_version";
        var version = (int)(long)read.ExecuteScalar()!;
        for (var i = version; i < Migrations.Length; i++)
        {
            using var tx = connection.BeginTransaction();
            Execute(connection, Migrations[i], tx);
            Execute(connection, $"UPDATE schema_version SET version = {i + 1}", tx);
            tx.Commit();
        }
    }

    /// <summary>Inserts a queued submission. With an idempotency key already used by this client, returns the existing one instead.</summary>
    public SubmissionRecord InsertOrGetExisting(SubmissionRecord submission, out bool inserted)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            INSERT INTO submissions (id, client_id, problem_id, code, status, idempotency_key, request_hash, created_at)
            VALUES ($id, $client, $problem, $code, 'queued', $key, $hash, $created)
            ON CONFLICT DO NOTHING
            """;
        cmd.Parameters.AddWithValue("$id", submission.Id.ToString());
        cmd.Parameters.AddWithValue("$client", submission.ClientId);
        cmd.Parameters.AddWithValue("$problem", submission.ProblemId);
        cmd.Parameters.AddWithValue("$code", submission.Code);
        cmd.Parameters.AddWithValue("$key", (object?)submission.IdempotencyKey ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$hash", (object?)submission.RequestHash ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$created", submission.CreatedAt.ToString("O"));
        inserted = cmd.ExecuteNonQuery() == 1;
        return inserted ? submission : FindByIdempotencyKey(submission.ClientId, submission.IdempotencyKey!)!;
    }

    public SubmissionRecord? FindByIdempotencyKey(string clientId, string key) =>
        QuerySubmissions("WHERE client_id = $a AND idempotency_key = $b", clientId, key).FirstOrDefault();

    public SubmissionRecord? Get(Guid id) => QuerySubmissions("WHERE id = $a", id.ToString()).FirstOrDefault();

    public void MarkRunning(Guid id) => Update("UPDATE submissions SET status = 'running' WHERE id = $id AND status = 'queued'", id);

    public void Complete(Guid id, string resultJson) =>
        Update("UPDATE submissions SET status = 'completed', result_json = $result, completed_at = $now WHERE id = $id", id,
            ("$result", resultJson), ("$now", DateTimeOffset.UtcNow.ToString("O")));

    /// <summary>After a restart: what was running is queued again; returns every queued submission in arrival order.</summary>
    public IReadOnlyList<SubmissionRecord> RequeueInterrupted()
    {
        using (var connection = Open())
            Execute(connection, "UPDATE submissions SET status = 'queued' WHERE status = 'running'");
        return QuerySubmissions("WHERE status = 'queued' ORDER BY seq");
    }

    public void SaveProblem(string id, string document)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            INSERT INTO problems (id, document, updated_at) VALUES ($id, $doc, $now)
            ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at
            """;
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$doc", document);
        cmd.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O"));
        cmd.ExecuteNonQuery();
    }

    public bool DeleteProblem(string id)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "DELETE FROM problems WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteNonQuery() == 1;
    }

    public IReadOnlyList<(string Id, string Document)> ListProblems()
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, document FROM problems ORDER BY id";
        using var reader = cmd.ExecuteReader();
        var list = new List<(string, string)>();
        while (reader.Read()) list.Add((reader.GetString(0), reader.GetString(1)));
        return list;
    }

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    T Scalar<T>(string sql)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return (T)cmd.ExecuteScalar()!;
    }

    static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    void Update(string sql, Guid id, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$id", id.ToString());
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }

    List<SubmissionRecord> QuerySubmissions(string where, params string[] args)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"""
            SELECT id, client_id, problem_id, code, status, result_json, idempotency_key, request_hash, created_at, completed_at
            FROM submissions {where}
            """;
        for (var i = 0; i < args.Length; i++) cmd.Parameters.AddWithValue("$" + (char)('a' + i), args[i]);
        using var reader = cmd.ExecuteReader();
        var list = new List<SubmissionRecord>();
        while (reader.Read())
            list.Add(new SubmissionRecord(
                Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                Enum.Parse<SubmissionStatus>(reader.GetString(4), ignoreCase: true),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                DateTimeOffset.Parse(reader.GetString(8), System.Globalization.CultureInfo.InvariantCulture),
                reader.IsDBNull(9) ? null : DateTimeOffset.Parse(reader.GetString(9), System.Globalization.CultureInfo.InvariantCulture)));
        return list;
    }
}

public static class StorageExtensions
{
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration("Storage").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<JudgeStore>();
        return builder;
    }
}
