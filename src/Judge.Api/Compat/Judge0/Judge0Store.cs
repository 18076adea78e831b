using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Judge.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Judge.Api.Compat.Judge0;

/// <summary>Counts for GET /statistics.</summary>
public sealed record Judge0Counts(
    long Total, IReadOnlyDictionary<DateOnly, long> PerDay, IReadOnlyList<(int LanguageId, long Count)> PerLanguage,
    IReadOnlyList<(int StatusId, long Count)> PerStatus, long DatabaseBytes);

/// <summary>
/// Everything the Judge0 surface keeps, behind one small seam: submissions by token, and what a restart must re-run.
/// SQLite today (<see cref="SqliteJudge0Store"/>); the storage contract with PostgreSQL will implement the same calls.
/// </summary>
public interface IJudge0Store
{
    void Add(Judge0Submission submission);
    void Update(Judge0Submission submission);
    Judge0Submission? Get(Guid token);

    /// <summary>The submissions that exist among <paramref name="tokens"/>, by token.</summary>
    IReadOnlyDictionary<Guid, Judge0Submission> GetMany(IReadOnlyCollection<Guid> tokens);

    /// <summary>Submissions not finished (queued or processing), oldest first: after a restart they run again.</summary>
    IReadOnlyList<Judge0Submission> Unfinished();

    Judge0Counts Counts(DateOnly since);
}

/// <summary>
/// The Judge0 submissions in their own table of Judge's SQLite database (judge.db under Storage:DataDirectory),
/// created here so the Judge0 surface stays one folder: the attributes as one JSON document, with the columns that
/// queries need (token, status, language, creation time) beside it.
/// </summary>
public sealed class SqliteJudge0Store : IJudge0Store
{
    static readonly JsonSerializerOptions Document = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    readonly string _connectionString;
    readonly string _path;

    public SqliteJudge0Store(IOptions<StorageOptions> options)
    {
        var directory = Path.GetFullPath(options.Value.DataDirectory);
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "judge.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = true }.ToString();
        using var connection = Open();
        Execute(connection, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS judge0_submissions (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                token TEXT NOT NULL UNIQUE,
                client_id TEXT NOT NULL,
                status_id INTEGER NOT NULL,
                language_id INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                document TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_judge0_unfinished ON judge0_submissions (status_id, seq);
            """);
    }

    public void Add(Judge0Submission s) => Write("""
        INSERT INTO judge0_submissions (token, client_id, status_id, language_id, created_at, document)
        VALUES ($token, $client, $status, $language, $created, $document)
        """, s);

    public void Update(Judge0Submission s) =>
        Write("UPDATE judge0_submissions SET status_id = $status, document = $document WHERE token = $token", s);

    public Judge0Submission? Get(Guid token) => Query("WHERE token = $t0", [token]).FirstOrDefault();

    public IReadOnlyDictionary<Guid, Judge0Submission> GetMany(IReadOnlyCollection<Guid> tokens)
    {
        var distinct = tokens.Distinct().ToList();
        if (distinct.Count == 0) return new Dictionary<Guid, Judge0Submission>();
        var where = "WHERE token IN (" + string.Join(", ", distinct.Select((_, i) => "$t" + i)) + ")";
        return Query(where, distinct).ToDictionary(s => s.Token);
    }

    public IReadOnlyList<Judge0Submission> Unfinished() =>
        Query($"WHERE status_id IN ({Judge0Status.InQueue}, {Judge0Status.Processing}) ORDER BY seq", []);

    public Judge0Counts Counts(DateOnly since)
    {
        using var connection = Open();
        long total = 0;
        var perDay = new Dictionary<DateOnly, long>();
        var perLanguage = new List<(int, long)>();
        var perStatus = new List<(int, long)>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT COUNT(*) FROM judge0_submissions";
            total = (long)cmd.ExecuteScalar()!;
        }
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT substr(created_at, 1, 10), COUNT(*) FROM judge0_submissions WHERE created_at >= $since GROUP BY 1";
            cmd.Parameters.AddWithValue("$since", since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) perDay[DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture)] = reader.GetInt64(1);
        }
        foreach (var (column, list) in new[] { ("language_id", perLanguage), ("status_id", perStatus) })
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT {column}, COUNT(*) FROM judge0_submissions GROUP BY 1 ORDER BY 2 DESC";
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) list.Add((reader.GetInt32(0), reader.GetInt64(1)));
        }
        var bytes = File.Exists(_path) ? new FileInfo(_path).Length : 0;
        return new Judge0Counts(total, perDay, perLanguage, perStatus, bytes);
    }

    void Write(string sql, Judge0Submission s)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$token", s.Token.ToString());
        cmd.Parameters.AddWithValue("$client", s.ClientId);
        cmd.Parameters.AddWithValue("$status", s.StatusId);
        cmd.Parameters.AddWithValue("$language", s.LanguageId);
        // UTC with a fixed format, so day grouping and ordering work on the text.
        cmd.Parameters.AddWithValue("$created", s.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$document", JsonSerializer.Serialize(s, Document));
        cmd.ExecuteNonQuery();
    }

    List<Judge0Submission> Query(string where, IReadOnlyList<Guid> tokens)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT document FROM judge0_submissions " + where;
        for (var i = 0; i < tokens.Count; i++) cmd.Parameters.AddWithValue("$t" + i, tokens[i].ToString());
        using var reader = cmd.ExecuteReader();
        var list = new List<Judge0Submission>();
        while (reader.Read()) list.Add(JsonSerializer.Deserialize<Judge0Submission>(reader.GetString(0), Document)!);
        return list;
    }

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
