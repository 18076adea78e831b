using System.Diagnostics;
using Judge.Sandbox;
using Judge.Sandbox.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Judge.Bench;

/// <summary>
/// A trivial snippet run N times through the pool and through the baselines a user would otherwise pick
/// (a python3 -S -I subprocess; bwrap + python3), at concurrency 1 and 2, in one process and one run.
/// </summary>
internal static class SandboxBench
{
    const string Snippet = "def add(a, b):\n    return a + b\n";
    const string BaselineCode = "def add(a, b):\n    return a + b\nprint(add(2, 3))";

    public static async Task<int> RunAsync(int n)
    {
        Console.WriteLine($"# sandbox benchmark: {n} runs per scenario, {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
        // Warnings of the pool and its hosts (a host's own diagnostics among them) go to stderr.
        using var logging = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        await using var pool = new SandboxPool(Options.Create(new SandboxOptions { RunsPerHost = 4 }), logging.CreateLogger<SandboxPool>());
        await pool.StartAsync(CancellationToken.None);
        await pool.WaitUntilReadyAsync();
        var request = new RunRequest(Snippet) { Expr = "add(2, 3)" };
        async Task PoolRun()
        {
            var r = await pool.RunAsync(request);
            if (r.Status != RunStatus.Ok) throw new InvalidOperationException($"run failed: {r.Status} {r.Error?.Message}");
        }
        for (int i = 0; i < 200; i++) await PoolRun(); // warm the JIT on both sides

        int baselineN = Math.Max(50, n / 10);

        var rows = new List<Stats>();
        foreach (int c in new[] { 1, 2 })
        {
            rows.Add(await Stats.Measure("python3 -S -I -c (subprocess)", c, baselineN, () => Baselines.RunAsync(false, BaselineCode, "5")));
            rows.Add(await Stats.Measure("bwrap + python3 (subprocess)", c, baselineN, () => Baselines.RunAsync(true, BaselineCode, "5")));
            rows.Add(await Stats.Measure("Judge sandbox pool", c, n, PoolRun));
        }
        foreach (int c in new[] { 4, 8 }) rows.Add(await Stats.Measure("Judge sandbox pool", c, n, PoolRun));

        Stats? BwrapAt(int c) => rows.FirstOrDefault(r => r.Name.StartsWith("bwrap", StringComparison.Ordinal) && r.Concurrency == Math.Min(c, 2));
        Stats.PrintTable(rows, s => s.Name.StartsWith("Judge", StringComparison.Ordinal) ? BwrapAt(s.Concurrency) : null);
        Console.WriteLine("(× baseline: runs/s relative to bwrap + python3 at the same concurrency, or at 2 for higher)");

        // Where the CPU goes per run: this process (the pool), the hosts, their zygotes, and the run children (reaped).
        var hosts = ProcTree.SandboxHostsBelow(Environment.ProcessId);
        var zygotes = hosts.Select(ProcTree.Zygote).OfType<int>().ToList();
        double poolBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        var (hostBefore, childBefore) = CpuOf(hosts);
        var (zygoteBefore, _) = CpuOf(zygotes);
        int cpuRuns = n;
        await Stats.Measure("cpu split", 4, cpuRuns, PoolRun);
        double poolMs = (Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - poolBefore) / cpuRuns;
        var (hostAfter, childAfter) = CpuOf(hosts);
        var (zygoteAfter, _) = CpuOf(zygotes);
        double hostMs = (hostAfter - hostBefore) / cpuRuns, zygoteMs = (zygoteAfter - zygoteBefore) / cpuRuns;
        double childMs = (childAfter - childBefore) / cpuRuns, totalMs = poolMs + hostMs + zygoteMs + childMs;
        Console.WriteLine($"CPU per run at concurrency 4 ({cpuRuns} runs, {hosts.Count} hosts): pool {poolMs:F2} ms, " +
            $"hosts {hostMs:F2} ms, zygotes {zygoteMs:F2} ms, children {childMs:F2} ms; total {totalMs:F2} ms, " +
            $"so {Environment.ProcessorCount} cores bound the pool near {Environment.ProcessorCount * 1000 / totalMs:F0} runs/s");
        var (floorWall, floorCpu) = await Baselines.PythonForkFloorAsync(2000);
        Console.WriteLine($"floor: a warmed python3 forking children that exit at once: {floorWall:F2} ms per fork+exit+reap, " +
            $"{floorCpu:F2} ms CPU, so at most {Environment.ProcessorCount * 1000 / floorCpu:F0} forks/s on {Environment.ProcessorCount} cores " +
            $"before any run does anything (Judge's CPU per run is {totalMs / floorCpu:F1}× that)");

        // One child per submission (batch) against one child per test (process isolation): ten tests, alternated.
        var batch = new BatchRequest(Snippet, [.. Enumerable.Range(0, 10).Select(i => new BatchTest(Expr: $"add({i}, 1)"))]);
        async Task Batch()
        {
            var results = await pool.RunBatchAsync(batch);
            if (results.Any(r => r.Status != RunStatus.Ok)) throw new InvalidOperationException("a batch test failed");
        }
        async Task PerTest()
        {
            for (int i = 0; i < batch.Tests.Count; i++)
            {
                var r = await pool.RunAsync(batch.Single(i));
                if (r.Status != RunStatus.Ok) throw new InvalidOperationException($"run failed: {r.Status} {r.Error?.Message}");
            }
        }
        int batches = Math.Max(50, n / 10);
        var modes = new List<Stats>();
        var cpu = new Dictionary<string, List<double>>();
        for (int round = 0; round < 2; round++)
        {
            foreach (var (name, work) in new[] { ("10 tests, one child (batch)", (Func<Task>)Batch), ("10 tests, a child each (process)", PerTest) })
            {
                foreach (int c in new[] { 1, 2 })
                {
                    var before = TotalCpuMs(hosts);
                    modes.Add(await Stats.Measure(name, c, batches, work));
                    cpu.TryAdd($"{name} c={c}", []);
                    cpu[$"{name} c={c}"].Add((TotalCpuMs(hosts) - before) / batches);
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine("## A 10-test submission in the pool: batch (one child) vs process (a child per test), alternated twice");
        Stats.PrintTable(modes, s => s.Name.Contains("batch", StringComparison.Ordinal)
            ? modes.LastOrDefault(b => b.Name.Contains("process", StringComparison.Ordinal) && b.Concurrency == s.Concurrency) : null);
        Console.WriteLine("(runs/s here = 10-test submissions/s; × baseline relative to process mode at the same concurrency)");
        foreach (var (key, values) in cpu)
            Console.WriteLine($"CPU per submission, {key}: {string.Join(", ", values.Select(v => $"{v:F2} ms"))} (pool + hosts + zygotes + children)");
        var singleMedian = rows.Where(r => r.Name.StartsWith("Judge", StringComparison.Ordinal) && r.Concurrency == 1).Single().Median;
        var batchMedian = modes.Where(m => m.Name.Contains("batch", StringComparison.Ordinal) && m.Concurrency == 1).Average(m => m.Median);
        Console.WriteLine($"10-test batch median at c=1 over a single run's median: {batchMedian / singleMedian:F2}× (target ≤ 2.5×)");
        Console.WriteLine();

        foreach (var h in await pool.GetHostStatsAsync())
            Console.WriteLine($"host {h.Slot}: RSS {h.RssKb / 1024.0:F1} MiB, {h.Threads} threads, {h.OpenFds} fds");
        Console.WriteLine($"bench process RSS {Process.GetCurrentProcess().WorkingSet64 / 1048576.0:F1} MiB");
        return 0;
    }

    /// <summary>CPU of this process (the pool), the hosts, their zygotes and their reaped children, in ms.</summary>
    internal static double TotalCpuMs(List<int> hosts)
    {
        var (own, children) = CpuOf(hosts);
        var (zygotes, _) = CpuOf(hosts.Select(ProcTree.Zygote).OfType<int>().ToList());
        return Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds + own + children + zygotes;
    }

    static (double Own, double Children) CpuOf(List<int> pids) =>
        pids.Select(ProcTree.CpuMs).Aggregate((0.0, 0.0), (sum, c) => (sum.Item1 + c.Own, sum.Item2 + c.Children));
}
