using System.Text.Json.Nodes;
using Judge.Sandbox.Pool;
using Microsoft.Extensions.Options;

namespace Judge.Sandbox.Tests;

/// <summary>
/// What keeps runs apart besides seccomp: every run in flight has a uid of its own (from the pool user's subordinate
/// range, never the pool's), the host is pid 1 of its jail, non-dumpable and of another uid, and the wall clock counts
/// only time a run could have run. One host with four runs at a time, so attacker and innocents share a host.
/// </summary>
public sealed class RunIsolationTests : IAsyncLifetime
{
    readonly SandboxPool _pool = new(Options.Create(new SandboxOptions { Hosts = 1, RunsPerHost = 4 }));

    public async Task InitializeAsync()
    {
        await _pool.StartAsync(CancellationToken.None);
        await _pool.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync() => await _pool.DisposeAsync();

    Task<RunResult> Run(string code, string expr, int timeMs = 1000) =>
        _pool.RunAsync(new RunRequest(code) { Expr = expr, Limits = new ResourceLimits(timeMs, 64) });

    const string Ids = "import os\ndef ids():\n    return [os.getuid(), os.geteuid(), os.getgid(), os.getpid(), os.getppid()]\n";

    [Fact(Timeout = 120_000)]
    public async Task Runs_in_flight_at_once_have_different_uids_and_none_is_the_hosts_or_the_pools()
    {
        // Each run holds its slot for a while, so the four overlap on the one host.
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Run(Ids + "import time\ntime.sleep(0.3)\n", "ids()")));
        var ids = runs.Select(r =>
        {
            r.Status.Should().Be(RunStatus.Ok, r.Error?.Message + r.Stderr);
            return r.Value!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
        }).ToList();
        ids.Select(i => i[0]).Should().OnlyHaveUniqueItems("a uid per run in flight");
        ids.Should().OnlyContain(i => i[0] == i[1] && i[0] == i[2] && i[0] >= HostLauncher.FirstRunUid);
        ids.Should().OnlyContain(i => i[4] == 1, "the host is pid 1 of the jail: no bwrap process inside");
        // Outside, the same processes have uids of the subordinate range, not root's or the pool's.
        var outside = await Run("import os\n", "open('/proc/self/uid_map').read().split()");
        outside.Value!.AsArray().Select(v => long.Parse(v!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture))
            .Should().HaveCount(3).And.Subject.ElementAt(1).Should().BeGreaterThan(0, "the jail's uid 0 is not the machine's root");
    }

    const string Credentials = """
        def credentials():
            fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
            return [int(fields[k].split()[0], 16) for k in ("CapPrm", "CapEff", "CapAmb")] + [fields["Groups"].strip()]
        """;

    [Fact(Timeout = 120_000)]
    public async Task A_run_holds_no_capability_and_no_supplementary_group_in_its_first_test_or_a_later_one()
    {
        // The uid switch drops the capabilities only because the zygote left no securebit set: read them, do not trust it.
        var results = await _pool.RunBatchAsync(new BatchRequest(Credentials,
            [new BatchTest(Expr: "credentials()"), new BatchTest(Expr: "credentials()")]));
        results.Should().HaveCount(2);
        foreach (var r in results)
        {
            r.Status.Should().Be(RunStatus.Ok, r.Error?.Message + r.Stderr);
            r.Value!.ToJsonString().Should().Be("""[0,0,0,""]""", "no capability: permitted, effective, ambient; no group");
        }
        var single = await Run(Credentials, "credentials()");
        single.Status.Should().Be(RunStatus.Ok, single.Error?.Message + single.Stderr);
        single.Value!.ToJsonString().Should().Be("""[0,0,0,""]""");
    }

    [Fact(Timeout = 120_000)]
    public async Task The_host_is_out_of_reach_even_without_seccomp_standing_in_the_way()
    {
        // Plain file and signal permission checks, which the kernel makes whatever seccomp allows.
        var r = await Run("""
            import os, signal
            def probe():
                out = {}
                for name, what in (("maps", "/proc/1/maps"), ("mem", "/proc/1/mem"), ("environ", "/proc/1/environ"),
                                   ("fd", "/proc/1/fd"), ("cwd", "/proc/1/cwd/"), ("root", "/proc/1/root/")):
                    try:
                        if what.endswith("/"):
                            os.listdir(what)
                        elif what.endswith("fd"):
                            os.listdir(what)
                        else:
                            open(what, "rb").read(1)
                        out[name] = "open"
                    except OSError as e:
                        out[name] = e.__class__.__name__
                return out
            """, "probe()");
        r.Status.Should().Be(RunStatus.Ok, r.Error?.Message);
        var probe = r.Value!.AsObject();
        probe.Select(p => p.Value!.GetValue<string>()).Should().OnlyContain(v => v == "PermissionError", probe.ToJsonString());
    }

    [Fact(Timeout = 120_000)]
    public async Task A_run_that_starts_threads_until_refused_leaves_the_other_runs_theirs()
    {
        const string bomb = """
            import threading, time
            def bomb():
                n = 0
                try:
                    while True:
                        threading.Thread(target=time.sleep, args=(3,), daemon=True).start()
                        n += 1
                except RuntimeError:
                    time.sleep(1.5)
                    return n
            """;
        const string innocent = """
            import threading, time
            def work():
                time.sleep(0.4)
                results = []
                threads = [threading.Thread(target=lambda i=i: results.append(i)) for i in range(16)]
                for t in threads: t.start()
                for t in threads: t.join()
                return len(results)
            """;
        var bombs = new[] { Run(bomb, "bomb()", 3000), Run(bomb, "bomb()", 3000) };
        var innocents = new[] { Run(innocent, "work()", 3000), Run(innocent, "work()", 3000) };
        foreach (var r in await Task.WhenAll(innocents))
        {
            r.Status.Should().Be(RunStatus.Ok, r.Error?.Type + ": " + r.Error?.Message);
            r.Value!.GetValue<int>().Should().Be(16, "each run's thread budget is its own");
        }
        foreach (var r in await Task.WhenAll(bombs))
        {
            r.Status.Should().Be(RunStatus.Ok, r.Error?.Message);
            r.Value!.GetValue<int>().Should().BeLessThan(128);
        }
        _pool.HostRestarts.Should().Be(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_sleeping_run_is_killed_at_its_wall_limit_even_on_a_busy_machine()
    {
        var hogs = Enumerable.Range(0, 3).Select(_ => Run("import time\ndef spin():\n    t = time.time()\n    while time.time() - t < 2.5:\n        pass\n", "spin()", 5000)).ToList();
        await Task.Delay(200);
        var sleeper = await Run("import time\n", "time.sleep(60)", timeMs: 500);
        sleeper.Status.Should().Be(RunStatus.TimeLimitExceeded);
        sleeper.WallMs.Should().BeLessThan(new ResourceLimits(500, 64).WallMs + 1000, "sleeping is not waiting for a CPU");
        await Task.WhenAll(hogs);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_correct_run_that_waits_for_a_cpu_on_a_busy_machine_is_not_a_time_limit()
    {
        // A run that needs ~0.4 s of CPU (up to twice that under contention) under a 1 s limit, while processes outside the sandbox keep every core busy
        // four times over: it gets a fifth of a core, so its wall time passes its 2.2 s wall limit although it never used
        // its CPU time. The time it spent waiting for a CPU does not count.
        const string work = "def work():\n    n = 0\n    for i in range(12_000_000):\n        n += i\n    return n > 0\n";
        var calibrate = await Run(work, "work()", 5000);
        calibrate.Status.Should().Be(RunStatus.Ok);
        var loops = (int)(12_000_000 * Math.Clamp(400.0 / Math.Max(1, calibrate.CpuMs), 0.1, 10));
        var code = work.Replace("12_000_000", loops.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Each hog in a session of its own: the kernel's autogroups share the CPU between sessions, and every run has
        // its own, so hogs sharing one session would take no more than one run does.
        var hogs = Enumerable.Range(0, Environment.ProcessorCount * 4)
            .Select(_ => System.Diagnostics.Process.Start("setsid", ["python3", "-c", "while True: pass"])).ToList();
        try
        {
            var runs = await Task.WhenAll(Run(code, "work()", 1000), Run(code, "work()", 1000));
            foreach (var r in runs)
            {
                r.Status.Should().Be(RunStatus.Ok, $"cpu {r.CpuMs} ms, wall {r.WallMs} ms");
                r.CpuMs.Should().BeLessThan(1000);
            }
            runs.Max(r => r.WallMs).Should().BeGreaterThan(new ResourceLimits(1000, 64).WallMs,
                "the machine was busy enough that the wall limit alone would have ended the run");
        }
        finally
        {
            foreach (var hog in hogs)
            {
                hog.Kill();
                await hog.WaitForExitAsync();
            }
        }
    }
}
