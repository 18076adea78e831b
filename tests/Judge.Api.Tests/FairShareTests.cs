using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Judge.Api.Auth;
using Judge.Sandbox;

namespace Judge.Api.Tests;

/// <summary>
/// One client cannot hold more than its share of the sandbox slots while others wait: runs that sleep count like busy
/// ones, a client's runs and submissions beyond its cap wait (or, for runs a caller waits on, are refused with 429),
/// and another client's work starts at once.
/// </summary>
public sealed class FairShareTests
{
    /// <summary>Runs whose code is "sleep" block until the test opens the gate; everything else answers at once.</summary>
    sealed class SleepingSandbox : ISandbox
    {
        readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int _sleeping, _maxSleeping;

        public int MaxConcurrentSleepers => Volatile.Read(ref _maxSleeping);
        public int Sleeping => Volatile.Read(ref _sleeping);
        public void Open() => _gate.TrySetResult();

        public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
        {
            if (request.Code != "sleep") return new RunResult { Status = RunStatus.Ok, Value = JsonValueOf(3), Stdout = "done\n" };
            var now = Interlocked.Increment(ref _sleeping);
            int seen;
            while ((seen = Volatile.Read(ref _maxSleeping)) < now && Interlocked.CompareExchange(ref _maxSleeping, now, seen) != seen) { }
            try
            {
                await _gate.Task.WaitAsync(cancellationToken);
                return new RunResult { Status = RunStatus.Ok, Value = JsonValueOf(3) };
            }
            finally
            {
                Interlocked.Decrement(ref _sleeping);
            }
        }

        static System.Text.Json.Nodes.JsonNode JsonValueOf(int v) => System.Text.Json.Nodes.JsonValue.Create(v);
    }

    static JudgeApiFactory Api(SleepingSandbox sandbox) => new(new Dictionary<string, string?>
    {
        ["Worker:Concurrency"] = "6",
        ["Queue:MaxRunningPerClient"] = "2",
        ["Queue:MaxPendingRequestsPerClient"] = "3",
        ["Queue:RetryAfterSeconds"] = "4",
    }, sandbox);

    [Fact]
    public async Task A_client_flooding_sleeping_runs_holds_at_most_its_share_and_another_clients_run_starts_at_once()
    {
        var sandbox = new SleepingSandbox();
        await using var api = Api(sandbox);
        var greedy = api.ClientWith(JudgeApiFactory.ClientKey);
        var flood = Enumerable.Range(0, 6).Select(_ => greedy.PostAsJsonAsync("/v1/runs", new { code = "sleep" })).ToList();

        // The ones beyond its pending cap are refused at once, saying when to come back.
        var refused = new List<HttpResponseMessage>();
        foreach (var response in flood)
        {
            if (await Task.WhenAny(response, Task.Delay(3000)) == response) refused.Add(await response);
        }
        refused.Should().HaveCount(3).And.OnlyContain(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        refused[0].Headers.GetValues("Retry-After").Single().Should().Be("4");
        (await refused[0].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().Should().Be(429);
        sandbox.Sleeping.Should().Be(2, "its other pending run waits: two slots are its share, though four more are free");

        var polite = api.ClientWith(JudgeApiFactory.OtherClientKey);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var run = await polite.PostAsJsonAsync("/v1/runs", new { code = "print(3)" });
        run.StatusCode.Should().Be(HttpStatusCode.OK);
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "another client's run does not wait behind the sleepers");

        sandbox.Open();
        var rest = await Task.WhenAll(flood.Where(f => !refused.Contains(f.Result)));
        rest.Should().HaveCount(3).And.OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        sandbox.MaxConcurrentSleepers.Should().Be(2);
    }

    [Fact]
    public async Task A_client_with_many_queued_submissions_does_not_delay_another_clients_submission()
    {
        var sandbox = new SleepingSandbox();
        await using var api = Api(sandbox);
        var greedy = api.ClientWith(JudgeApiFactory.ClientKey);
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var response = await JudgeApiFactory.Submit(greedy, "add-two", "sleep");
            response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }
        var polite = api.ClientWith(JudgeApiFactory.OtherClientKey);
        var done = await JudgeApiFactory.Submit(polite, "add-two", TestProblems.AddTwoSolution, "?wait=true");
        done.StatusCode.Should().Be(HttpStatusCode.OK, "the other client's submission was graded while the greedy one waited");
        sandbox.MaxConcurrentSleepers.Should().BeLessThanOrEqualTo(2);
        sandbox.Open();
        foreach (var id in ids) await JudgeApiFactory.PollUntilCompletedAsync(greedy, $"/v1/submissions/{id}");
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa::1", "ip:2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "ip:2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "ip:2001:db8:1:3::/64")]
    [InlineData("::ffff:192.0.2.7", "ip:192.0.2.7")]
    [InlineData("192.0.2.7", "ip:192.0.2.7")]
    public void An_anonymous_client_is_its_IPv4_address_or_its_IPv6_64(string address, string client) =>
        ApiKeys.AnonymousClient(IPAddress.Parse(address)).Should().Be(client);
}
