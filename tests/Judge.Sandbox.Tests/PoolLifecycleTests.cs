using System.Diagnostics;
using Judge.Bench;
using Judge.Sandbox.Pool;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Judge.Sandbox.Tests;

/// <summary>Pools of their own: crashes, restarts, shutdown, leaks, and a machine that lacks something.</summary>
public sealed class PoolLifecycleTests(ITestOutputHelper output)
{
    static SandboxPool NewPool(int hosts = 1, Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { Hosts = hosts, RunsPerHost = 4 };
        configure?.Invoke(options);
        return new SandboxPool(Options.Create(options));
    }

    static async Task<SandboxPool> StartedPool(int hosts = 1)
    {
        var pool = NewPool(hosts);
        await pool.StartAsync(CancellationToken.None);
        await pool.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return pool;
    }

    static bool Alive(int pid)
    {
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    [Fact(Timeout = 120_000)]
    public async Task Hosts_outlive_the_thread_that_started_the_pool()
    {
        // bwrap's --die-with-parent follows the thread that forked it: a pool started from a thread that then ends
        // (as thread-pool threads do when they retire) must keep its hosts.
        var pool = NewPool(hosts: 2);
        await using var _ = pool;
        var starter = new Thread(() => pool.StartAsync(CancellationToken.None).GetAwaiter().GetResult());
        starter.Start();
        starter.Join();
        await pool.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(60));
        // Ready means one host is; the second may still be starting.
        var started = Stopwatch.StartNew();
        while (pool.HostProcessIds.Count < 2 && started.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
        var pids = pool.HostProcessIds;
        pids.Should().HaveCount(2);
        await Task.Delay(1500);
        pool.HostRestarts.Should().Be(0);
        pool.HostProcessIds.Should().BeEquivalentTo(pids);
        (await pool.RunAsync(new RunRequest("x = 1\n") { Expr = "x" })).Status.Should().Be(RunStatus.Ok);
    }

    [Fact(Timeout = 120_000)]
    public async Task Killed_host_is_replaced_within_a_second_and_in_flight_runs_do_not_hang()
    {
        await using var pool = await StartedPool(hosts: 1);
        var inFlight = pool.RunAsync(new RunRequest("import time\ntime.sleep(0.5)\n") { Expr = "1", Limits = new ResourceLimits(1000, 64) });
        await Task.Delay(100);
        var oldPids = pool.HostProcessIds;
        pool.KillHost(0).Should().BeTrue();

        var sw = Stopwatch.StartNew();
        var result = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
        // Retried once on the replacement host, so it completes; it never hangs.
        result.Status.Should().BeOneOf(RunStatus.Ok, RunStatus.InternalError);

        while (!pool.IsReady || pool.HostProcessIds.SequenceEqual(oldPids)) await Task.Delay(10);
        output.WriteLine($"replacement ready after {sw.ElapsedMilliseconds} ms (including the retried run)");
        pool.HostRestarts.Should().BeGreaterThanOrEqualTo(1);
        var next = await pool.RunAsync(new RunRequest("") { Expr = "6 * 7" });
        next.Value!.ToJsonString().Should().Be("42");
        oldPids.Should().OnlyContain(pid => !Alive(pid));
    }

    [Fact(Timeout = 120_000)]
    public async Task Replacement_host_is_warm_within_a_second()
    {
        await using var pool = await StartedPool(hosts: 1);
        var old = pool.HostProcessIds.Single();
        var sw = Stopwatch.StartNew();
        pool.KillHost(0);
        while (!(pool.IsReady && pool.HostProcessIds.SingleOrDefault() is var pid && pid != 0 && pid != old)) await Task.Delay(5);
        sw.Stop();
        output.WriteLine($"host replaced in {sw.ElapsedMilliseconds} ms");
        // A generous bound for a loaded CI machine; the README reports the typical figure.
        sw.ElapsedMilliseconds.Should().BeLessThan(5000);
    }

    [Fact(Timeout = 120_000)]
    public async Task Stopping_the_pool_leaves_no_process_behind()
    {
        var pool = await StartedPool(hosts: 2);
        while (pool.HostProcessIds.Count < 2) await Task.Delay(20);
        var pids = pool.HostProcessIds;
        pids.Should().HaveCount(2);
        (await pool.RunAsync(new RunRequest("") { Expr = "1" })).Status.Should().Be(RunStatus.Ok);
        await pool.DisposeAsync();
        await Task.Delay(200);
        pids.Should().OnlyContain(pid => !Alive(pid));
        Process.GetProcessesByName("bwrap").Where(p => pids.Contains(p.Id)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Missing_bwrap_is_a_clear_error_naming_the_package()
    {
        await using var pool = NewPool(configure: o => o.Bwrap = "/nonexistent/bwrap");
        await pool.StartAsync(CancellationToken.None);
        pool.IsReady.Should().BeFalse();
        pool.NotReadyReason.Should().Contain("bubblewrap").And.Contain("apt-get install -y bubblewrap");
        var act = () => pool.WaitUntilReadyAsync();
        await act.Should().ThrowAsync<SandboxUnavailableException>();
        (await pool.RunAsync(new RunRequest("") { Expr = "1" })).Status.Should().Be(RunStatus.InternalError);
    }

    [Fact(Timeout = 60_000)]
    public async Task Missing_libpython_is_a_clear_error_naming_the_package()
    {
        await using var pool = NewPool(configure: o => o.PythonLibrary = "/nonexistent/libpython3.11.so.1.0");
        await pool.StartAsync(CancellationToken.None);
        pool.NotReadyReason.Should().Contain("libpython3.11");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_killed_zygote_takes_its_host_down_and_a_new_host_serves()
    {
        await using var pool = await StartedPool(hosts: 1);
        (await pool.RunAsync(new RunRequest("") { Expr = "1" })).Status.Should().Be(RunStatus.Ok);
        var oldPids = pool.HostProcessIds;
        int zygote = ProcTree.Zygote(ProcTree.SandboxHostsBelow(oldPids.Single()).Single()) ?? throw new Xunit.Sdk.XunitException("no zygote found");
        Process.GetProcessById(zygote).Kill();

        // Without its zygote a host cannot make children: it exits, and the pool starts another.
        var sw = Stopwatch.StartNew();
        while (!pool.IsReady || pool.HostProcessIds.SequenceEqual(oldPids)) await Task.Delay(10);
        output.WriteLine($"new host ready {sw.ElapsedMilliseconds} ms after the zygote was killed");
        pool.HostRestarts.Should().BeGreaterThanOrEqualTo(1);
        (await pool.RunAsync(new RunRequest("") { Expr = "6 * 7" })).Value!.ToJsonString().Should().Be("42");
        ProcTree.Zygote(ProcTree.SandboxHostsBelow(pool.HostProcessIds.Single()).Single()).Should().NotBeNull().And.NotBe(zygote);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_output_limit_above_the_largest_pipe_is_drained_during_the_run_and_still_exact()
    {
        // 2 MiB is more than /proc/sys/fs/pipe-max-size (1 MiB by default): stdout and stderr are read while the run
        // goes on instead of after it, with the same limit and the same verdicts.
        const int limit = 2 * 1024 * 1024;
        await using var pool = NewPool(configure: o => o.OutputLimitBytes = limit);
        await pool.StartAsync(CancellationToken.None);
        await pool.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var run = (string code) => pool.RunAsync(new RunRequest(code) { Mode = RunMode.Script });

        var atLimit = await run($"import sys\nsys.stdout.write('x' * {limit})\n");
        atLimit.Status.Should().Be(RunStatus.Ok, atLimit.Error?.Message);
        atLimit.Stdout.Should().HaveLength(limit);

        var over = await run($"import sys\nsys.stdout.write('x' * {limit + 1})\n");
        over.Status.Should().Be(RunStatus.OutputLimitExceeded);
        over.Stdout.Should().HaveLength(limit);

        var flood = await run("import os\nwhile True:\n    os.write(2, b'z' * 65536)\n");
        flood.Status.Should().Be(RunStatus.OutputLimitExceeded);
        flood.WallMs.Should().BeLessThan(ResourceLimits.Default.WallMs, "the pool kills the run once it passes the limit");

        (await run("print('next')")).Stdout.Should().Be("next\n");
    }

    [Fact(Timeout = 600_000)]
    public async Task Two_thousand_runs_at_concurrency_eight_all_complete()
    {
        // Races between spare children, hand-over and the reaper show up only under concurrency.
        await using var pool = await StartedPool(hosts: 2);
        int bad = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (int i = 0; i < 250; i++)
            {
                var r = await pool.RunAsync(new RunRequest("def add(a, b):\n    return a + b\n") { Expr = "add(2, 3)" });
                if (r.Status != RunStatus.Ok || r.Value!.ToJsonString() != "5")
                {
                    Interlocked.Increment(ref bad);
                    output.WriteLine($"{r.Status} wall={r.WallMs} {r.Error?.Message}");
                }
            }
        }));
        bad.Should().Be(0);
    }

    [Fact(Timeout = 600_000)]
    public async Task Three_thousand_runs_leave_descriptors_threads_memory_and_zombies_flat()
    {
        await using var pool = await StartedPool(hosts: 1);
        for (int i = 0; i < 200; i++) await pool.RunAsync(new RunRequest("x = [i * i for i in range(100)]\n") { Expr = "sum(x)" });
        var before = (await pool.GetHostStatsAsync()).Single();
        for (int i = 0; i < 3_000; i++)
        {
            var r = await pool.RunAsync(new RunRequest("x = [i * i for i in range(100)]\nprint(len(x))\n") { Expr = "sum(x)" });
            if (r.Status != RunStatus.Ok || r.Value!.ToJsonString() != "328350")
                throw new Xunit.Sdk.XunitException($"run {i}: {r.Status} {r.Error?.Message}");
        }
        var after = (await pool.GetHostStatsAsync()).Single();
        output.WriteLine($"before: {before}");
        output.WriteLine($"after:  {after}");
        // The host holds one socket per spare waiting for a run: zero to two, as runs take them and the zygote makes
        // more. A leak would add one per run.
        after.OpenFds.Should().BeInRange(before.OpenFds - 2, before.OpenFds + 2);
        // The host's .NET thread pool (timers run there) grows and shrinks by a few; a leak would add one per run.
        after.Threads.Should().BeLessThanOrEqualTo(before.Threads + 4);
        after.Zombies.Should().Be(0);
        after.Children.Should().Be(0);
        after.RssKb.Should().BeLessThan(before.RssKb + 16 * 1024);
    }
}
