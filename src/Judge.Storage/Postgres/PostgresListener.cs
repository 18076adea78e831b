using Npgsql;

namespace Judge.Storage.Postgres;

/// <summary>
/// One dedicated connection per process that LISTENs for the store's notifications and turns them into in-process
/// signals. It reconnects when the connection drops; after every (re)connect it wakes every waiter, because
/// notifications sent while it was away are lost (waiters also poll, so nothing waits forever).
/// </summary>
internal sealed class PostgresListener : IAsyncDisposable
{
    static readonly TimeSpan Idle = TimeSpan.FromSeconds(15);
    static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    readonly string _connectionString;
    readonly StoreSignals _signals;
    readonly ILogger? _logger;
    readonly CancellationTokenSource _stop = new();
    Task? _loop;

    public PostgresListener(string connectionString, StoreSignals signals, ILogger? logger)
    {
        // Its own connection, outside the pool: LISTEN is session state, and the pool must not hand this one out.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false, KeepAlive = 10, ApplicationName = ApplicationName,
        }.ConnectionString;
        _signals = signals;
        _logger = logger;
    }

    /// <summary>The listening connection's application_name (pg_stat_activity).</summary>
    public const string ApplicationName = "judge-listener";

    /// <summary>True while the listening connection is up.</summary>
    public bool Connected { get; private set; }

    /// <summary>Notifications received since start (tests look at it).</summary>
    public long Received => Interlocked.Read(ref _received);
    long _received;

    public void Start()
    {
        if (_loop is not null) return;
        lock (_stop)
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
    }

    async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += (_, e) =>
                {
                    Interlocked.Increment(ref _received);
                    if (e.Channel == PostgresSchema.WorkChannel) _signals.PulseWork();
                    else if (Guid.TryParse(e.Payload, out var id)) _signals.PulseCompletion(id);
                };
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresSchema.WorkChannel}; LISTEN {PostgresSchema.DoneChannel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                Connected = true;
                if (failures > 0) _logger?.LogInformation("Listening for queue notifications again");
                failures = 0;
                _signals.PulseAll();
                while (!ct.IsCancellationRequested)
                {
                    // An idle wait ends with a round trip, so a connection that died silently is noticed.
                    if (!await connection.WaitAsync(Idle, ct))
                        await using (var ping = new NpgsqlCommand("SELECT 1", connection)) await ping.ExecuteScalarAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            catch (Exception e)
            {
                Connected = false;
                if (failures++ == 0) _logger?.LogWarning("Lost the queue notification connection ({Error}); waiters poll until it is back", e.Message);
                _signals.PulseAll();
                try { await Task.Delay(Retry, ct); }
                catch (OperationCanceledException) { }
            }
        }
        Connected = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}
