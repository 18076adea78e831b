using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Judge.Testing;

namespace Judge.Cluster.Tests;

/// <summary>
/// A cluster on this machine: one PostgreSQL, two api processes and two worker processes. A thousand submissions (10%
/// hostile) go through both APIs while a worker is killed with -9 and replaced and an API is restarted; each completes
/// exactly once with the verdict it gets alone.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Submissions = 1000;
    const int Concurrency = 16;
    const string AdminKey = "cluster-admin-key";
    static readonly string[] ClientKeys = ["client-a", "client-b", "client-c", "client-d"];

    const string Problem = """
        id: cluster-add
        title: Add (cluster test)
        topic: cluster
        difficulty: easy
        statement: |
          Write `add(a, b)` returning `a + b`. Example: `add(2, 3) == 5`.
        starter: |
          def add(a, b):
              return 0
        solution: |
          def add(a, b):
              return a + b
        limits:
          timeMs: 500
          memoryMb: 32
        tests:
          - name: small
            expr: add(2, 3)
            expect: 5
        """;

    sealed record Case(string Kind, string Code, string? Verdict);

    const string Add = "def add(a, b):\n    return a + b\n";
    static readonly Case[] Benign =
    [
        new("correct", Add, "accepted"),
        new("wrong", "def add(a, b):\n    return a - b\n", "wrong_answer"),
        new("correct (sum)", "def add(a, b):\n    return sum((a, b))\n", "accepted"),
        new("raises", "def add(a, b):\n    return a + undefined_name\n", "runtime_error"),
    ];
    static readonly Case[] Hostile =
    [
        new("busy loop", "while True:\n    pass\n", "time_limit_exceeded"),
        // One allocation far past the limit: no CPU spent on the way, so the verdict does not depend on the machine's load.
        new("memory bomb", "block = bytearray(1 << 30)\n", null),
        new("output flood", "while True:\n    print('x' * 1000)\n", "output_limit_exceeded"),
        new("fork bomb", "import os\nwhile True:\n    os.fork()\n", null),
        new("crash", "import os\nos.abort()\n", null),
    ];

    /// <summary>The i-th submission: every tenth hostile (cycling through the kinds), the rest benign.</summary>
    static Case CaseOf(int i) => i % 10 == 9 ? Hostile[i / 10 % Hostile.Length] : Benign[i % Benign.Length];

    readonly string _root = Path.Combine(Path.GetTempPath(), "judge-cluster-" + Guid.NewGuid().ToString("N")[..12]);
    readonly List<JudgeNode> _nodes = [];
    PostgresServer _postgres = null!;
    Dictionary<string, string> _environment = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "problems", "cluster"));
        await File.WriteAllTextAsync(Path.Combine(_root, "problems", "cluster", "cluster-add.yaml"), Problem);
        _postgres = await PostgresServer.StartAsync();
        await _postgres.CreateDatabaseAsync("judge");
        _environment = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "postgres",
            ["Storage__ConnectionString"] = _postgres.ConnectionString("judge", maxPoolSize: 10),
            ["Problems__Directory"] = Path.Combine(_root, "problems"),
            ["Auth__AdminKeys__0"] = AdminKey,
            ["RateLimit__SubmitPermitLimit"] = "1000000",
            ["RateLimit__ReadPermitLimit"] = "1000000",
            ["Queue__Capacity"] = "100000",
            ["Queue__RetryAfterSeconds"] = "1",
            ["Queue__MaxRunningPerClient"] = "8",
            ["Worker__LeaseSeconds"] = "3",
            ["Sandbox__Hosts"] = "1",
            ["Limits__WaitSeconds"] = "60",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Judge"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware"] = "Warning",
        };
        for (var i = 0; i < ClientKeys.Length; i++) _environment[$"Auth__ClientKeys__{i}"] = ClientKeys[i];
    }

    JudgeNode Start(string name, string role, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(_environment);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) environment[key] = value;
        var node = JudgeNode.Start(name, role, environment, _root);
        _nodes.Add(node);
        return node;
    }

    [Fact(Timeout = 900_000)]
    public async Task A_thousand_submissions_complete_exactly_once_across_two_apis_and_workers_while_a_worker_is_killed_and_an_api_restarts()
    {
        var total = Stopwatch.StartNew();
        // The first node migrates the schema; then the test counts every write of a result (exactly-once evidence).
        var api1 = Start("api1", "api");
        (await api1.WaitHealthyAsync(TimeSpan.FromSeconds(120))).Should().EndWith([HttpStatusCode.OK]);
        await _postgres.PsqlAsync("""
            CREATE TABLE test_completions (id uuid NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
            CREATE FUNCTION test_log_completion() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO test_completions (id) VALUES (NEW.id); RETURN NEW; END $$;
            CREATE TRIGGER test_completion AFTER UPDATE OF completed_at ON submissions
                FOR EACH ROW WHEN (NEW.completed_at IS NOT NULL) EXECUTE FUNCTION test_log_completion();
            """, "judge");

        var api2 = Start("api2", "api");
        var worker1 = Start("worker1", "worker");
        var worker2 = Start("worker2", "worker");
        // A worker whose sandbox cannot start is never ready (and so never claims).
        var broken = Start("broken", "worker", new Dictionary<string, string> { ["Sandbox__Bwrap"] = "/nonexistent/bwrap" });
        var workerStarts = await Task.WhenAll(worker1.WaitHealthyAsync(TimeSpan.FromSeconds(180)), worker2.WaitHealthyAsync(TimeSpan.FromSeconds(180)));
        await api2.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: cluster up; worker /healthz on the way: {string.Join(" | ", workerStarts.Select(s => string.Join(",", s.Select(c => (int)c))))}");

        using (var health = await broken.Http.GetAsync("/healthz"))
        {
            health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await health.Content.ReadAsStringAsync()).Should().Contain("sandbox");
        }
        await broken.StopAsync();

        await MetricsAreLabelledAsync(api1, "api");
        await MetricsAreLabelledAsync(worker1, "worker");

        // An ad-hoc run through an api node: the api has no sandbox, a worker runs it.
        using (var run = await api1.Http.PostAsJsonAsync("/v1/runs", new { code = "print(6 * 7)" }))
        {
            var body = await run.Content.ReadFromJsonAsync<JsonElement>();
            run.StatusCode.Should().Be(HttpStatusCode.OK, body.ToString());
            body.GetProperty("status").GetString().Should().Be("ok");
            body.GetProperty("stdout").GetString().Should().Be("42\n");
        }

        await AProblemCreatedOnOneApiIsServedByTheOtherAsync(api1, api2);

        // Every kind alone first: the verdicts the load must reproduce.
        var expected = new Dictionary<string, string>();
        foreach (var c in Benign.Concat(Hostile))
        {
            using var response = await api1.Http.PostAsJsonAsync("/v1/submissions?wait=true", new { problemId = "cluster-add", code = c.Code });
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            response.StatusCode.Should().Be(HttpStatusCode.OK, body.ToString());
            var verdict = body.GetProperty("verdict").GetString()!;
            if (c.Verdict is not null) verdict.Should().Be(c.Verdict, c.Kind);
            else new[] { "accepted", "internal_error" }.Should().NotContain(verdict, $"{c.Kind}: {body}");
            expected[c.Kind] = verdict;
        }
        output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: calibrated: {string.Join(", ", expected.Select(kv => $"{kv.Key} → {kv.Value}"))}");

        // ---- the load, with a worker killed and an API restarted on the way
        var apis = new[] { api1, api2 };
        var completed = 0;
        var mismatches = new ConcurrentQueue<string>();
        var ids = new ConcurrentDictionary<int, Guid>();
        var transportErrors = 0;
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var restarting = 0;

        var faults = Task.Run(async () =>
        {
            while (Volatile.Read(ref completed) < Submissions / 4) await Task.Delay(20, overall.Token);
            // Killed while it holds jobs: frozen (SIGSTOP: it can complete nothing meanwhile) until the database shows
            // it holding one, thawed and tried again a moment later if it holds none (a node may be between jobs).
            string orphans;
            while (true)
            {
                JudgeProcess.Signal(worker1.Pid, 19).Should().Be(0, "worker1 can be stopped");
                orphans = await _postgres.PsqlAsync("SELECT count(*) FROM jobs WHERE worker_id = 'worker1' AND status = 'running'", "judge");
                if (int.Parse(orphans, CultureInfo.InvariantCulture) > 0) break;
                JudgeProcess.Signal(worker1.Pid, 18);
                await Task.Delay(50, overall.Token);
            }
            await worker1.KillAsync();
            // What the killed worker held: its leases expire and other workers grade these.
            output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: killed worker1 with -9 at {completed} completed, holding {orphans} jobs");
            int.Parse(orphans, CultureInfo.InvariantCulture).Should().BePositive("the worker was killed mid-grading");
            var worker3 = Start("worker3", "worker");
            await worker3.WaitHealthyAsync(TimeSpan.FromSeconds(180));
            output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: worker3 up");

            while (Volatile.Read(ref completed) < Submissions / 2) await Task.Delay(20, overall.Token);
            Volatile.Write(ref restarting, 1);
            (await api2.StopAsync()).Should().Be(0, "an api stops cleanly on SIGTERM");
            api2.StartProcess();
            await api2.WaitHealthyAsync(TimeSpan.FromSeconds(120));
            Volatile.Write(ref restarting, 0);
            output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: api2 restarted at {completed} completed");
        });

        var next = -1;
        var load = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Submissions)
            {
                var c = CaseOf(i);
                var (id, body) = await SubmitAndPollAsync(apis[i % 2], apis[(i + 1) % 2], ClientKeys[i % ClientKeys.Length],
                    $"load-{i}", c.Code + $"\n# {i}\n", () => Interlocked.Increment(ref transportErrors), overall.Token);
                ids[i] = id;
                var verdict = body.GetProperty("verdict").GetString();
                if (verdict != expected[c.Kind]) mismatches.Enqueue($"#{i} {c.Kind}: expected {expected[c.Kind]}, got {verdict}: {body}");
                Interlocked.Increment(ref completed);
            }
        })));
        await faults;
        output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: {completed} submissions completed in {load.Elapsed.TotalSeconds:F1} s " +
            $"({completed / load.Elapsed.TotalSeconds:F1}/s); {transportErrors} transport errors retried");

        ids.Values.Distinct().Should().HaveCount(Submissions, "a retried POST with its Idempotency-Key returns the same submission");
        // Exactly once: every submission's result was written once, whichever worker graded it, and nothing is left queued.
        var counts = await _postgres.PsqlAsync("""
            SELECT (SELECT count(*) FROM submissions WHERE completed_at IS NULL) || ' ' ||
                   (SELECT count(*) FROM (SELECT id FROM test_completions GROUP BY id HAVING count(*) > 1) twice) || ' ' ||
                   (SELECT count(*) FROM jobs) || ' ' ||
                   (SELECT count(DISTINCT id) FROM test_completions) || ' ' ||
                   (SELECT count(*) FROM submissions)
            """, "judge");
        var (notCompleted, completedTwice, jobsLeft, distinct, stored) = Parse5(counts);
        notCompleted.Should().Be(0);
        completedTwice.Should().Be(0, "no result is written twice");
        jobsLeft.Should().Be(0);
        distinct.Should().Be(stored);
        stored.Should().Be(Submissions + Benign.Length + Hostile.Length);

        await HealthFollowsTheDatabaseAsync(api1, api2);

        // ---- shutdown: every node exits cleanly and leaves no process behind
        foreach (var node in _nodes.Where(n => !n.HasExited))
            (await node.StopAsync()).Should().Be(0, $"{node} stops cleanly on SIGTERM:\n{node.Log()}");
        foreach (var node in _nodes) (await node.LeftoversAsync()).Should().BeEmpty();
        output.WriteLine($"{total.Elapsed.TotalSeconds:F1} s: all nodes stopped; no process left");
        // Last, so that one run shows every other check too.
        mismatches.Should().BeEmpty("every submission gets the verdict it gets alone");
    }

    /// <summary>POST (the same Idempotency-Key on every retry) on one api until accepted, then poll the other until completed.</summary>
    static async Task<(Guid Id, JsonElement Result)> SubmitAndPollAsync(
        JudgeNode postTo, JudgeNode pollFrom, string clientKey, string idempotencyKey, string code, Action transportError, CancellationToken ct)
    {
        Guid? id = null;
        while (id is null)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/submissions")
                {
                    Content = JsonContent.Create(new { problemId = "cluster-add", code }),
                };
                request.Headers.Add("Idempotency-Key", idempotencyKey);
                request.Headers.Add("X-Api-Key", clientKey);
                using var response = await postTo.Http.SendAsync(request, ct);
                if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
                    id = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
                else if ((int)response.StatusCode is 429 or 503) await Task.Delay(500, ct);
                else throw new InvalidOperationException($"POST {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            }
            catch (HttpRequestException)
            {
                transportError(); // the api restarting: retry
                await Task.Delay(200, ct);
            }
        }
        var delay = 20;
        while (true)
        {
            await Task.Delay(delay, ct);
            delay = Math.Min(250, delay * 2);
            foreach (var node in new[] { pollFrom, postTo })
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/submissions/{id}");
                    request.Headers.Add("X-Api-Key", clientKey);
                    using var response = await node.Http.SendAsync(request, ct);
                    if (response.StatusCode != HttpStatusCode.OK) continue;
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                    if (body.GetProperty("status").GetString() == "completed") return (id.Value, body);
                    break;
                }
                catch (HttpRequestException)
                {
                    transportError();
                }
            }
        }
    }

    async Task MetricsAreLabelledAsync(JudgeNode node, string role)
    {
        var text = await node.Http.GetStringAsync("/metrics");
        var depth = text.Split('\n').Single(l => l.StartsWith("judge_queue_depth{", StringComparison.Ordinal));
        depth.Should().Contain($"role=\"{role}\"").And.Contain($"node=\"{node.Name}\"");
    }

    async Task AProblemCreatedOnOneApiIsServedByTheOtherAsync(JudgeNode api1, JudgeNode api2)
    {
        var doc = new JsonObject
        {
            ["id"] = "cluster-double",
            ["title"] = "Double (cluster test)",
            ["topic"] = "cluster",
            ["statement"] = "Write `double(x)` returning `2 * x`. Example: `double(4) == 8`.",
            ["starter"] = "def double(x):\n    return 0\n",
            ["solution"] = "def double(x):\n    return 2 * x\n",
            ["mutants"] = new JsonArray(new JsonObject { ["name"] = "adds", ["code"] = "def double(x):\n    return x + 2\n" }),
            ["tests"] = new JsonArray(
                new JsonObject { ["name"] = "four", ["expr"] = "double(4)", ["expect"] = 8 },
                new JsonObject { ["name"] = "zero", ["expr"] = "double(0)", ["expect"] = 0 }),
        };
        // Both answers of the endpoint have been given once on api2 (a cold first request is not what is measured).
        using (var before = await api2.Http.GetAsync("/v1/problems/cluster-double")) before.StatusCode.Should().Be(HttpStatusCode.NotFound);
        using (var warm = await api2.Http.GetAsync("/v1/problems/cluster-add")) warm.StatusCode.Should().Be(HttpStatusCode.OK);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/problems") { Content = JsonContent.Create(doc) };
        request.Headers.Add("X-Api-Key", AdminKey);
        using var created = await api1.Http.SendAsync(request);
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var seen = Stopwatch.StartNew();
        HttpStatusCode status;
        TimeSpan last;
        do
        {
            var request2 = Stopwatch.StartNew();
            using var response = await api2.Http.GetAsync("/v1/problems/cluster-double");
            status = response.StatusCode;
            last = request2.Elapsed;
            if (status != HttpStatusCode.OK) await Task.Delay(25);
        } while (status != HttpStatusCode.OK && seen.Elapsed < TimeSpan.FromSeconds(5));
        status.Should().Be(HttpStatusCode.OK);
        seen.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1),
            $"the other api node serves a new problem within a second (its last GET took {last.TotalMilliseconds:F0} ms)");
        output.WriteLine($"problem created on api1 served by api2 after {seen.ElapsedMilliseconds} ms");
    }

    /// <summary>/healthz of an api node is 503 while PostgreSQL is down and 200 again when it is back; the cluster
    /// then grades again (pools and the notification connections reconnect).</summary>
    async Task HealthFollowsTheDatabaseAsync(JudgeNode api1, JudgeNode api2)
    {
        await _postgres.StopServerAsync();
        (await StatusWithinAsync(api1, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30))).Should().BeTrue("the database is down");
        await _postgres.StartServerAsync();
        (await StatusWithinAsync(api1, HttpStatusCode.OK, TimeSpan.FromSeconds(30))).Should().BeTrue("the database is back");

        var sw = Stopwatch.StartNew();
        JsonElement result = default;
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var response = await api2.Http.PostAsJsonAsync("/v1/submissions?wait=true", new { problemId = "cluster-add", code = Add + "# after\n" });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                result = await response.Content.ReadFromJsonAsync<JsonElement>();
                break;
            }
            await Task.Delay(500); // a pooled connection from before the restart fails once
        }
        result.ValueKind.Should().Be(JsonValueKind.Object, "a submission after the database restart is graded");
        result.GetProperty("verdict").GetString().Should().Be("accepted");
        output.WriteLine($"after a database restart: /healthz 503 then 200; a submission graded {sw.ElapsedMilliseconds} ms after it was back");
    }

    static async Task<bool> StatusWithinAsync(JudgeNode node, HttpStatusCode expected, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            try
            {
                using var response = await node.Http.GetAsync("/healthz");
                if (response.StatusCode == expected) return true;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        return false;
    }

    static (long, long, long, long, long) Parse5(string text)
    {
        var parts = text.Split(' ').Select(long.Parse).ToArray();
        return (parts[0], parts[1], parts[2], parts[3], parts[4]);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        var root = _postgres.Root;
        await _postgres.DisposeAsync();
        _postgres.Processes().Should().BeEmpty("PostgreSQL is stopped");
        Directory.Exists(root).Should().BeFalse();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
