using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Judge.Api.Tests.Compat;
using Judge.Storage;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Judge.Api.Tests;

/// <summary>
/// A worker node's claim loops (one per sandbox slot) take turns: only one free loop claims and waits for work, so an
/// idle node, or a wake-up, costs the shared queue one claim rather than one per free slot (each claim is a scan and an
/// advisory lock in PostgreSQL), while a backlog still fills every slot at once.
/// </summary>
public sealed class WorkerClaimTests : IAsyncDisposable
{
    const int Slots = 8;
    readonly PythonFake _sandbox = PythonFake.Hello();
    readonly JudgeApiFactory _factory;
    ClaimCounter? _counter;

    public WorkerClaimTests()
    {
        _factory = new JudgeApiFactory(new Dictionary<string, string?>
        {
            ["Worker:Concurrency"] = Slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Queue:MaxRunningPerClient"] = "100",
            ["Queue:MaxPendingRequestsPerClient"] = "100",
        }, _sandbox);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_idle_node_claims_once_per_poll_not_once_per_free_slot_and_a_backlog_still_fills_every_slot()
    {
        using var node = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            var registered = services.Last(d => d.ServiceType == typeof(IJudgeStore));
            services.Remove(registered);
            services.AddSingleton<IJudgeStore>(sp => (IJudgeStore)(object)(_counter = ClaimCounter.Wrap((IJudgeStore)registered.ImplementationFactory!(sp))));
        }));
        var client = node.CreateClient();
        await Task.Delay(TimeSpan.FromSeconds(3.5)); // about three idle polls (one a second)

        // One loop per slot each claiming every poll would have made 8 × 4 claims by now.
        _counter!.Claims.Should().BeInRange(1, 6, "one free loop claims and waits; the other seven wait for their turn");

        _sandbox.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = Enumerable.Range(0, Slots)
            .Select(i => client.PostAsJsonAsync("/v1/runs", new { code = "print('hello, ' + input())", stdin = $"run {i}" })).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_sandbox.Runs.Count(r => r.Stdin?.StartsWith("run ", StringComparison.Ordinal) == true) < Slots && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        _sandbox.Runs.Count(r => r.Stdin?.StartsWith("run ", StringComparison.Ordinal) == true)
            .Should().Be(Slots, "all eight runs are in the sandbox at once: each loop that got a job handed the turn on");
        _sandbox.Gate.SetResult();
        foreach (var response in await Task.WhenAll(runs))
            response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    /// <summary>The store, counting ClaimAsync calls.</summary>
    public class ClaimCounter : DispatchProxy
    {
        IJudgeStore _inner = null!;
        int _claims;

        public int Claims => Volatile.Read(ref _claims);

        public static ClaimCounter Wrap(IJudgeStore inner)
        {
            var proxy = Create<IJudgeStore, ClaimCounter>();
            var counter = (ClaimCounter)(object)proxy;
            counter._inner = inner;
            return counter;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IJudgeStore.ClaimAsync)) Interlocked.Increment(ref _claims);
            try { return targetMethod.Invoke(_inner, args); }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
