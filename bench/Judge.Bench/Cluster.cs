using System.Globalization;
using Judge.Testing;

namespace Judge.Bench;

/// <summary>
/// A cluster on this machine for the load test: a throw-away PostgreSQL (the tests' <see cref="PostgresServer"/>, with
/// PostgreSQL's durable defaults and pg_stat_statements), one api process and N worker processes.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    readonly string _dll;
    readonly Dictionary<string, string> _settings;
    readonly int _queueCapacity;
    readonly List<ApiProcess> _workers = [];
    int _started;

    public PostgresServer Postgres { get; }
    public ApiProcess Api { get; private set; } = null!;

    /// <summary>Workers killed by the fault variant (still checked for leftovers).</summary>
    public List<ApiProcess> Retired { get; } = [];

    Cluster(string dll, PostgresServer postgres, int queueCapacity)
    {
        _dll = dll;
        Postgres = postgres;
        _queueCapacity = queueCapacity;
        _settings = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = postgres.ConnectionString("judge", maxPoolSize: 30),
        };
    }

    public List<ApiProcess> Workers()
    {
        lock (_workers) return [.. _workers];
    }

    public static async Task<Cluster> StartAsync(string dll, LoadTest.Options o)
    {
        var postgres = await PostgresServer.StartAsync(durable: true, ["shared_preload_libraries = 'pg_stat_statements'", "track_io_timing = on"]);
        var cluster = new Cluster(dll, postgres, o.QueueCapacity);
        try
        {
            await postgres.CreateDatabaseAsync("judge");
            await postgres.PsqlAsync("CREATE EXTENSION pg_stat_statements", "judge");
            cluster.Api = await ApiProcess.StartNodeAsync(dll, "api", cluster.Role("api", "api"), o.QueueCapacity);
            await Task.WhenAll(Enumerable.Range(0, Math.Max(1, o.Workers)).Select(_ => cluster.StartWorkerAsync()));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    Dictionary<string, string> Role(string role, string name) => new(_settings)
    {
        ["Judge__Role"] = role,
        ["Judge__NodeId"] = name,
    };

    async Task StartWorkerAsync()
    {
        var name = $"worker{Interlocked.Increment(ref _started)}";
        var worker = await ApiProcess.StartNodeAsync(_dll, name, Role("worker", name), _queueCapacity);
        lock (_workers) _workers.Add(worker);
    }

    /// <summary>kill -9 a worker process and start a new one (its claimed jobs return to the queue when their leases expire).</summary>
    public async Task ReplaceWorkerAsync(ApiProcess victim)
    {
        await victim.KillAsync();
        lock (_workers)
        {
            _workers.Remove(victim);
            Retired.Add(victim);
        }
        await StartWorkerAsync();
    }

    public sealed record DatabaseReading(
        long Submissions, long NotCompleted, long Jobs, long WalBytes, long SubmissionsBytes, IReadOnlyList<(long Calls, double TotalMs, string Query)> Statements);

    /// <summary>Counts, the WAL position and the statement statistics (reset after reading, so the next reading covers
    /// what happened in between).</summary>
    public async Task<DatabaseReading> ReadDatabaseAsync()
    {
        var counts = (await Postgres.PsqlAsync("""
            SELECT (SELECT count(*) FROM submissions) || ' ' || (SELECT count(*) FROM submissions WHERE completed_at IS NULL) || ' ' ||
                   (SELECT count(*) FROM jobs) || ' ' || pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint || ' ' ||
                   pg_total_relation_size('submissions')
            """, "judge")).Split(' ').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var statements = (await Postgres.PsqlAsync("""
            SELECT calls || E'\t' || round(total_exec_time::numeric, 3) || E'\t' || left(regexp_replace(query, '\s+', ' ', 'g'), 110)
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'judge') ORDER BY calls DESC
            """, "judge")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', 3))
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture), f[2]))
            .ToList();
        await Postgres.PsqlAsync("SELECT pg_stat_statements_reset()", "judge");
        return new DatabaseReading(counts[0], counts[1], counts[2], counts[3], counts[4], statements);
    }

    /// <summary>What the load cost PostgreSQL per submission: statements (each one round trip), their time, WAL.</summary>
    public static void PrintDatabaseCost(DatabaseReading before, DatabaseReading after, int submissions)
    {
        var calls = after.Statements.Sum(s => s.Calls);
        Console.WriteLine($"postgres           {calls / (double)submissions:F1} statements per submission (every statement one round trip, " +
            $"the client's polling included), {after.Statements.Sum(s => s.TotalMs) / submissions:F3} ms of execution each; " +
            $"WAL {(after.WalBytes - before.WalBytes) / (double)submissions / 1024:F1} KiB per submission; " +
            $"submissions table {after.SubmissionsBytes / (double)Math.Max(1, after.Submissions) / 1024:F2} KiB per row with its indexes");
        foreach (var (count, ms, query) in after.Statements.Take(14))
            Console.WriteLine($"  {count / (double)submissions,7:F2}/submission  {ms / Math.Max(1, count),7:F3} ms  {query}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in Workers().Concat(Retired)) await worker.DisposeAsync();
        if (Api is not null) await Api.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}
