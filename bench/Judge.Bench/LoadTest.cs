using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Judge.Testing;

namespace Judge.Bench;

/// <summary>
/// Load test of the real API: N submissions at concurrency C (POST 202, then poll), about 10% hostile, every verdict
/// known in advance. Passes only if everything completes with its verdict, with no 5xx, bounded RSS and no leftover
/// process; with --faults, one sandbox host and then the API itself are killed -9 during the load. With --postgres the
/// same load goes to a cluster on this machine: a throw-away PostgreSQL, one api process and --workers worker processes
/// (the faults then kill a whole worker process, replaced by a new one, and the API).
/// </summary>
internal static class LoadTest
{
    /// <summary><see cref="Workers"/>: Worker:Concurrency of the single process, or with <see cref="Postgres"/> the number
    /// of worker processes (each as many slots as its sandbox pool).</summary>
    public sealed record Options(
        int Submissions, int Concurrency, bool Faults, int TimeoutSeconds, int QueueCapacity = 100_000, int Workers = 2, bool Postgres = false)
    {
        public static Options Parse(string[] args)
        {
            var o = new Options(5000, 32, false, 1800);
            for (int i = 0; i < args.Length; i++)
            {
                int Next() => int.Parse(args[++i], CultureInfo.InvariantCulture);
                o = args[i] switch
                {
                    "--submissions" or "-n" => o with { Submissions = Next() },
                    "--concurrency" or "-c" => o with { Concurrency = Next() },
                    "--timeout" => o with { TimeoutSeconds = Next() },
                    "--faults" => o with { Faults = true },
                    "--queue-capacity" => o with { QueueCapacity = Next() },
                    "--workers" => o with { Workers = Next() },
                    "--postgres" => o with { Postgres = true },
                    _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
                };
            }
            return o;
        }
    }

    /// <summary>A kind of submission and its verdict; <see cref="Also"/>: the other verdict it may get by its nature.</summary>
    sealed record Case(string Kind, string ProblemId, string Code, string Verdict, bool Hostile, string? Also = null)
    {
        public string[] Verdicts => Also is null ? [Verdict] : [Verdict, Also];
    }

    const string Add = JudgeClient.AddSolution;
    static readonly Case[] Benign =
    [
        new("correct", JudgeClient.LoadProblem, Add, "accepted", false),
        new("correct (10 tests)", JudgeClient.TenTestProblem, Add, "accepted", false),
        new("wrong", JudgeClient.LoadProblem, "def add(a, b):\n    return a - b\n", "wrong_answer", false),
        new("correct", JudgeClient.LoadProblem, "def add(a, b):\n    return sum((a, b))\n", "accepted", false),
        new("raises", JudgeClient.LoadProblem, "def add(a, b):\n    return a + undefined_name\n", "runtime_error", false),
        new("wrong (10 tests)", JudgeClient.TenTestProblem, "def add(a, b):\n    return a * b\n", "wrong_answer", false),
    ];
    static readonly Case[] Hostile =
    [
        new("busy loop", JudgeClient.LoadProblem, "while True:\n    pass\n", "time_limit_exceeded", true),
        // Allocating without end meets the memory limit or the CPU limit first, depending on what a page fault costs the
        // machine (32 MiB of fresh pages took ~120 ms of CPU on 2026-12-02's VM, past the 100 ms limit): either is right.
        new("memory bomb", JudgeClient.LoadProblem, "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 20))\n", "memory_limit_exceeded", true,
            Also: "time_limit_exceeded"),
        new("print flood", JudgeClient.LoadProblem, "while True:\n    print('x' * 1000)\n", "output_limit_exceeded", true),
        new("fork attempt", JudgeClient.LoadProblem, "import os\nos.fork()\n" + Add, "runtime_error", true),
    ];

    /// <summary>The i-th submission: every tenth one hostile (cycling through the kinds), the rest benign.</summary>
    static Case CaseOf(int i) => i % 10 == 9 ? Hostile[i / 10 % Hostile.Length] : Benign[i % Benign.Length];

    sealed class Counters
    {
        public int Completed, Refused, FiveXx, Throttled503, Throttled429, TransportErrors, Mismatches;
        public readonly ConcurrentDictionary<string, int> Verdicts = new();
        public readonly ConcurrentQueue<string> Failures = new();
    }

    public static async Task<int> RunAsync(Options o)
    {
        if (ApiProcess.FindDll() is not { } dll) return 2;
        Console.WriteLine($"# load test: {o.Submissions} submissions at concurrency {o.Concurrency}{(o.Faults ? ", with faults" : "")}" +
            $"{(o.Postgres ? $", cluster on PostgreSQL with {o.Workers} worker processes" : "")}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
        await using var cluster = o.Postgres ? await Cluster.StartAsync(dll, o) : null;
        await using var single = o.Postgres ? null : await ApiProcess.StartAsync(dll, o.Workers, o.QueueCapacity);
        var api = cluster?.Api ?? single!;
        // The processes that hold sandbox hosts: the single process, or the workers.
        List<ApiProcess> HostNodes() => cluster?.Workers() ?? [api];
        List<ApiProcess> AllNodes() => [api, .. cluster?.Workers() ?? []];
        if (cluster is null)
            Console.WriteLine($"API pid {api.Pid} on {api.BaseAddress}, Worker:Concurrency={o.Workers}, Queue:Capacity={o.QueueCapacity}, data in {api.DataDirectory}");
        else
            Console.WriteLine($"api pid {api.Pid} on {api.BaseAddress}; workers {string.Join(", ", cluster.Workers().Select(w => $"{w.Name} pid {w.Pid}"))}; " +
                $"PostgreSQL pid {cluster.Postgres.Pid} on port {cluster.Postgres.Port}; Queue:Capacity={o.QueueCapacity}");
        using var client = new JudgeClient(api.BaseAddress);
        await client.PostProblemsAsync();

        // Every kind once, synchronously: the verdicts the load will expect are the ones the API gives alone.
        foreach (var c in Benign.Concat(Hostile))
            await client.SubmitAndWaitAsync(c.ProblemId, c.Code, c.Verdicts);
        Console.WriteLine($"calibration: all {Benign.Length + Hostile.Length} kinds give their expected verdicts");
        var databaseBefore = cluster is null ? null : await cluster.ReadDatabaseAsync();

        var counters = new Counters();
        var latencies = new double[o.Submissions];
        string runId = Guid.NewGuid().ToString("N")[..8];
        using var overall = new CancellationTokenSource(TimeSpan.FromSeconds(o.TimeoutSeconds));
        var failed = new List<string>();

        // Warm-up RSS: taken once 5% (at least 100) submissions have completed.
        int warmAt = Math.Min(o.Submissions, Math.Max(100, o.Submissions / 20));
        long warmApiRss = 0, warmHostRss = 0;
        var warmTaken = new TaskCompletionSource();
        bool restarting = false, apiDied = false;
        using var sampler = new Timer(_ =>
        {
            try
            {
                if (!Volatile.Read(ref restarting) && AllNodes().Any(n => n.HasExited) && !overall.IsCancellationRequested)
                {
                    apiDied = true; // not killed by the fault variant: no point in waiting for the timeout
                    overall.Cancel();
                    return;
                }
                foreach (var node in AllNodes()) node.RecordDescendants();
                if (!warmTaken.Task.IsCompleted && Volatile.Read(ref counters.Completed) >= warmAt)
                {
                    warmApiRss = api.ApiRssKb;
                    warmHostRss = HostNodes().SelectMany(n => n.HostPids()).Select(ProcTree.RssKb).DefaultIfEmpty(0).Max();
                    warmTaken.TrySetResult();
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException) { }
        }, null, 0, 250);

        int restarts = 0, hostKills = 0;
        double hostRestartsMetric = 0;
        var faults = !o.Faults ? Task.CompletedTask : Task.Run(async () =>
        {
            await WaitCompleted(counters, o.Submissions / 4, overall.Token);
            if (cluster is not null)
            {
                Volatile.Write(ref restarting, true);
                var victim = cluster.Workers()[0];
                Console.WriteLine($"fault: kill -9 worker process {victim.Name} pid {victim.Pid} (at {counters.Completed} completed)");
                await cluster.ReplaceWorkerAsync(victim);
                Volatile.Write(ref restarting, false);
                hostKills++;
                Console.WriteLine($"fault: a new worker is up ({string.Join(", ", cluster.Workers().Select(w => w.Name))})");
            }
            var hosts = cluster is null ? api.HostPids() : [];
            if (cluster is null && hosts.Count == 0) { failed.Add("fault: no sandbox host found below the API"); return; }
            if (cluster is null)
            {
                Console.WriteLine($"fault: kill -9 sandbox host pid {hosts[0]} (at {counters.Completed} completed)");
                JudgeProcess.Signal(hosts[0], 9);
                hostKills++;
            }
            await WaitCompleted(counters, o.Submissions * 11 / 20, overall.Token);
            if (cluster is null) hostRestartsMetric = (await client.MetricsAsync()).Get("judge_sandbox_host_restarts");
            Console.WriteLine($"fault: kill -9 API pid {api.Pid} (at {counters.Completed} completed; judge_sandbox_host_restarts was {hostRestartsMetric})");
            Volatile.Write(ref restarting, true);
            await api.KillAsync();
            await Task.Delay(1000);
            var sw = Stopwatch.StartNew();
            await api.StartProcessAsync();
            Volatile.Write(ref restarting, false);
            restarts++;
            Console.WriteLine($"fault: API restarted on the same data directory as pid {api.Pid}, healthy after {sw.Elapsed.TotalSeconds:F1} s");
        });

        var wall = Stopwatch.StartNew();
        int next = -1;
        using var progress = new Timer(_ => Console.WriteLine(
            $"  {wall.Elapsed.TotalSeconds,6:F0} s: {counters.Completed}/{o.Submissions} completed, {counters.Mismatches} mismatches, " +
            $"{counters.FiveXx} 5xx, {counters.Throttled503 + counters.Throttled429} throttled, {counters.TransportErrors} transport errors"),
            null, 10_000, 10_000);
        await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < o.Submissions && !overall.IsCancellationRequested)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    await OneAsync(client, CaseOf(i), $"load-{runId}-{i}", i, counters, overall.Token);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                catch (OperationCanceledException) when (overall.IsCancellationRequested) { }
            }
        }));
        double seconds = wall.Elapsed.TotalSeconds;
        try { await faults; }
        catch (Exception e) { failed.Add($"fault injection failed: {e.Message}"); }
        progress.Change(Timeout.Infinite, Timeout.Infinite);
        sampler.Change(Timeout.Infinite, Timeout.Infinite);

        // ---- checks before shutdown ----
        var metrics = new Dictionary<string, double>();
        try { metrics = await client.MetricsAsync(); }
        catch (HttpRequestException e) { failed.Add($"GET /metrics after the load: {e.Message}"); }
        long endApiRss = api.ApiRssKb;
        var endHosts = HostNodes().SelectMany(n => n.HostPids()).ToDictionary(p => p, ProcTree.RssKb);
        long endHostRss = endHosts.Values.DefaultIfEmpty(0).Max();
        var zombiesBelowApi = AllNodes().SelectMany(n => ProcTree.Descendants(n.Pid)).Where(p => ProcTree.State(p) == "Z").ToList();

        if (apiDied) failed.Add("a node exited by itself during the load; see its api.log");
        if (counters.Completed != o.Submissions) failed.Add($"{o.Submissions - counters.Completed} submissions did not complete within {o.TimeoutSeconds} s");
        if (counters.Refused > 0) failed.Add($"{counters.Refused} submissions were refused (4xx)");
        if (counters.Mismatches > 0) failed.Add($"{counters.Mismatches} verdicts differ from the expected ones");
        if (counters.FiveXx > 0) failed.Add($"{counters.FiveXx} responses were 5xx (other than 503)");
        static long Bound(long warm) => warm * 3 / 2 + 64 * 1024;
        if (warmApiRss > 0 && endApiRss > Bound(warmApiRss)) failed.Add($"API RSS {endApiRss / 1024} MiB at the end > bound {Bound(warmApiRss) / 1024} MiB (1.5 × warm-up + 64 MiB)");
        if (warmHostRss > 0 && endHostRss > Bound(warmHostRss)) failed.Add($"host RSS {endHostRss / 1024} MiB at the end > bound {Bound(warmHostRss) / 1024} MiB");
        if (zombiesBelowApi.Count > 0) failed.Add($"zombies below the API: {string.Join(", ", zombiesBelowApi)}");
        if (o.Faults && restarts == 0) failed.Add("fault variant: the API was not restarted");
        if (o.Faults && cluster is null && hostRestartsMetric < 1) failed.Add("fault variant: judge_sandbox_host_restarts did not count the killed host");
        var database = cluster is null ? null : await cluster.ReadDatabaseAsync();
        if (database is not null)
        {
            if (database.Submissions - databaseBefore!.Submissions != o.Submissions)
                failed.Add($"{database.Submissions - databaseBefore.Submissions} submissions stored for {o.Submissions} sent");
            if (database.NotCompleted > 0 || database.Jobs > 0) failed.Add($"{database.NotCompleted} submissions not completed, {database.Jobs} jobs left");
        }

        // ---- shutdown and leftover processes ----
        int exitCode = await api.StopAsync();
        foreach (var worker in cluster?.Workers() ?? []) await worker.StopAsync();
        var leftovers = new List<string>();
        foreach (var node in AllNodes().Concat(cluster?.Retired ?? [])) leftovers.AddRange(await LeftoversAsync(node));
        if (cluster is not null)
        {
            await cluster.Postgres.StopServerAsync();
            leftovers.AddRange(cluster.Postgres.Processes().Select(p => $"{p} PostgreSQL"));
        }
        if (leftovers.Count > 0) failed.Add("processes left after shutdown: " + string.Join("; ", leftovers));

        // ---- summary ----
        var done = latencies.Where(l => l > 0).ToArray();
        var stats = new Stats("submission (POST → completed)", o.Concurrency, done, seconds);
        Console.WriteLine();
        Console.WriteLine("## Load summary");
        Console.WriteLine($"submissions        {counters.Completed}/{o.Submissions} completed in {seconds:F1} s: {counters.Completed / seconds:F1} submissions/s");
        Console.WriteLine($"latency (POST → completed seen by polling): median {stats.Median:F0} ms, p90 {stats.P90:F0} ms, p99 {stats.P99:F0} ms, max {done.DefaultIfEmpty(0).Max():F0} ms");
        Console.WriteLine($"verdicts           {string.Join(", ", counters.Verdicts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))}");
        Console.WriteLine($"hostile            {Enumerable.Range(0, o.Submissions).Count(i => CaseOf(i).Hostile)} ({string.Join(", ", Hostile.Select(h => h.Kind))})");
        Console.WriteLine($"mismatches         {counters.Mismatches}");
        Console.WriteLine($"5xx                {counters.FiveXx}; 503 {counters.Throttled503}, 429 {counters.Throttled429} (retried after Retry-After); transport errors {counters.TransportErrors} (retried)");
        Console.WriteLine($"RSS                API {warmApiRss / 1024.0:F1} MiB after warm-up → {endApiRss / 1024.0:F1} MiB at the end; " +
            $"largest host {warmHostRss / 1024.0:F1} → {endHostRss / 1024.0:F1} MiB ({endHosts.Count} hosts)");
        Console.WriteLine($"faults             {(!o.Faults ? "none (run with --faults)" : cluster is null
            ? $"{hostKills} sandbox host killed (judge_sandbox_host_restarts {hostRestartsMetric}), {restarts} API restarts survived"
            : $"{hostKills} worker process killed and replaced, {restarts} API restarts survived")}");
        if (database is not null) Cluster.PrintDatabaseCost(databaseBefore!, database, o.Submissions);
        Console.WriteLine($"shutdown           API exit code {exitCode}; leftover processes {leftovers.Count}; server counted {metrics.Where(kv => kv.Key.StartsWith("judge_submissions_total", StringComparison.Ordinal)).Sum(kv => kv.Value)} graded since its last start");
        foreach (var f in counters.Failures.Take(10)) Console.WriteLine($"  failure: {f}");
        if (failed.Count == 0)
        {
            Console.WriteLine("PASS");
            foreach (var node in AllNodes()) node.KeepData = false;
            return 0;
        }
        foreach (var f in failed) Console.WriteLine($"FAIL: {f}");
        Console.WriteLine($"(data directory and api.log kept in {api.DataDirectory})");
        return 1;
    }

    static async Task WaitCompleted(Counters counters, int target, CancellationToken ct)
    {
        while (Volatile.Read(ref counters.Completed) + Volatile.Read(ref counters.Refused) < target) await Task.Delay(50, ct);
    }

    /// <summary>One submission: POST (same Idempotency-Key on every retry) until accepted, then poll until completed.</summary>
    static async Task OneAsync(JudgeClient client, Case c, string key, int index, Counters counters, CancellationToken ct)
    {
        string code = c.Code + $"\n# submission {index}\n";
        string? location = null;
        while (location is null)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions") { Content = JsonContent.Create(new { problemId = c.ProblemId, code }) };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await client.Http.SendAsync(request, ct);
                if (await Throttled(response, counters, ct)) continue;
                if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                    location = $"/v1/submissions/{body.GetProperty("id").GetString()}";
                    if (body.GetProperty("status").GetString() == "completed") { Finish(body, c, counters, index); return; }
                }
                else
                {
                    // A 4xx will not change on retry: this submission is lost, and the run fails.
                    counters.Failures.Enqueue($"#{index} POST {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                    Interlocked.Increment(ref counters.Refused);
                    return;
                }
            }
            catch (HttpRequestException) { Interlocked.Increment(ref counters.TransportErrors); await Task.Delay(200, ct); }
        }
        int delay = 10;
        while (true)
        {
            await Task.Delay(delay, ct);
            delay = Math.Min(200, delay * 2);
            try
            {
                using var response = await client.Http.GetAsync(location, ct);
                if (await Throttled(response, counters, ct)) continue;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    counters.Failures.Enqueue($"#{index} GET {(int)response.StatusCode}");
                    continue;
                }
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                if (body.GetProperty("status").GetString() == "completed") { Finish(body, c, counters, index); return; }
            }
            catch (HttpRequestException) { Interlocked.Increment(ref counters.TransportErrors); await Task.Delay(200, ct); }
        }
    }

    /// <summary>429/503: counted and retried after Retry-After; other 5xx: counted as failures (and retried).</summary>
    static async Task<bool> Throttled(HttpResponseMessage response, Counters counters, CancellationToken ct)
    {
        int status = (int)response.StatusCode;
        if (status is 429 or 503)
        {
            if (status == 429) Interlocked.Increment(ref counters.Throttled429);
            else Interlocked.Increment(ref counters.Throttled503);
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            await Task.Delay(wait > TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : wait, ct);
            return true;
        }
        if (status >= 500)
        {
            Interlocked.Increment(ref counters.FiveXx);
            counters.Failures.Enqueue($"{status} {await response.Content.ReadAsStringAsync(ct)}");
            await Task.Delay(500, ct);
            return true;
        }
        return false;
    }

    static void Finish(JsonElement body, Case c, Counters counters, int index)
    {
        string verdict = body.GetProperty("verdict").GetString() ?? "(none)";
        counters.Verdicts.AddOrUpdate(verdict, 1, (_, n) => n + 1);
        if (!c.Verdicts.Contains(verdict))
        {
            Interlocked.Increment(ref counters.Mismatches);
            counters.Failures.Enqueue($"#{index} {c.Kind}: expected {string.Join(" or ", c.Verdicts)}, got {verdict}: {Truncate(body.ToString())}");
        }
        Interlocked.Increment(ref counters.Completed);
    }

    static string Truncate(string s) => s.Length > 400 ? s[..400] + "…" : s;

    /// <summary>
    /// After shutdown: every process once seen below an API instance, and every bwrap started for one, must be gone
    /// (waits up to 10 s; this container's init reaps orphans lazily).
    /// </summary>
    static async Task<List<string>> LeftoversAsync(ApiProcess api)
    {
        List<string> Find()
        {
            var left = new List<string>();
            foreach (var (pid, start) in api.SeenDescendants)
                if (ProcTree.ProcStartTime(pid) == start)
                    left.Add($"{pid} {ProcTree.Comm(pid)} state {ProcTree.State(pid)} parent {ProcTree.PPid(pid)}");
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid) || api.SeenDescendants.ContainsKey(pid)) continue;
                if (ProcTree.Comm(pid) != "bwrap") continue;
                string cmdline;
                try { cmdline = File.ReadAllText($"/proc/{pid}/cmdline"); }
                catch (IOException) { continue; }
                if (api.Pids.Any(a => cmdline.Contains($"judge-sandbox-{a}-", StringComparison.Ordinal)))
                    left.Add($"{pid} bwrap of an API instance, state {ProcTree.State(pid)}");
            }
            return left;
        }
        var sw = Stopwatch.StartNew();
        List<string> found;
        while ((found = Find()).Count > 0 && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(200);
        return found;
    }
}
