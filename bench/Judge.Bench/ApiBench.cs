using System.Diagnostics;
using System.Text.Json;

namespace Judge.Bench;

/// <summary>
/// End-to-end benchmark of the real API (child process, SQLite, real sandbox) over HTTP: ad-hoc runs and 10-test
/// submissions, side by side with the per-test subprocess baselines, in one run.
/// </summary>
internal static class ApiBench
{
    public static async Task<int> RunAsync(int n, int workers)
    {
        if (ApiProcess.FindDll() is not { } dll) return 2;
        Console.WriteLine($"# API benchmark: {n} operations per Judge scenario, {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
        await using var api = await ApiProcess.StartAsync(dll, workers);
        Console.WriteLine($"API pid {api.Pid} on {api.BaseAddress}, Worker:Concurrency={workers}, data in {api.DataDirectory}");
        using var client = new JudgeClient(api.BaseAddress);
        await client.PostProblemsAsync();

        // Warm-up: JIT on both sides, SQLite, connection pool.
        await Stats.Measure("warm-up", 4, 100, () => client.AdHocRunAsync());
        await Stats.Measure("warm-up", 4, 40, () => client.SubmitAndWaitAsync(JudgeClient.TenTestProblem, JudgeClient.AddSolution, "accepted"));

        long peakApiRss = 0, peakHostRss = 0;
        using var sampler = new Timer(_ =>
        {
            peakApiRss = Math.Max(peakApiRss, api.ApiRssKb);
            foreach (var h in api.HostPids()) peakHostRss = Math.Max(peakHostRss, ProcTree.RssKb(h));
        }, null, 0, 500);

        // ---- ad-hoc runs ----
        const string runCode = "def add(a, b):\n    return a + b\nprint(add(2, 3))";
        int baseN = Math.Max(40, n / 5);
        var runs = new List<Stats>();
        foreach (int c in new[] { 1, 2, 8 })
        {
            runs.Add(await Stats.Measure("python3 -S -I -c (subprocess)", c, baseN, () => Baselines.RunAsync(false, runCode, "5")));
            runs.Add(await Stats.Measure("bwrap + python3 (subprocess)", c, baseN, () => Baselines.RunAsync(true, runCode, "5")));
        }
        var runsBefore = await client.MetricsAsync();
        foreach (int c in new[] { 1, 2, 8, 32 })
            runs.Add(await Stats.Measure("Judge POST /v1/runs", c, n, () => client.AdHocRunAsync()));
        var runsAfter = await client.MetricsAsync();

        // ---- 10-test submissions ----
        int subN = Math.Max(30, n / 3);
        int subBaseN = Math.Max(10, n / 30);
        var subs = new List<Stats>();
        foreach (int c in new[] { 1, 8 })
        {
            subs.Add(await Stats.Measure("10 × python3 -S -I (subprocess)", c, subBaseN, () => Baselines.TenTestsAsync(false, JudgeClient.AddSolution)));
            subs.Add(await Stats.Measure("10 × bwrap + python3 (subprocess)", c, subBaseN, () => Baselines.TenTestsAsync(true, JudgeClient.AddSolution)));
        }
        var testTimes = new List<(long Time, long Cpu, long Mem)>();
        var submissionTimeMs = new List<long>();
        async Task Submit()
        {
            var body = await client.SubmitAndWaitAsync(JudgeClient.TenTestProblem, JudgeClient.AddSolution, "accepted");
            lock (testTimes)
            {
                submissionTimeMs.Add(body.GetProperty("timeMs").GetInt64());
                // Hidden tests carry no measurements (they would tell a candidate about the hidden inputs): visible ones only.
                foreach (var t in body.GetProperty("tests").EnumerateArray().Where(t => t.TryGetProperty("timeMs", out var v) && v.ValueKind == JsonValueKind.Number))
                    testTimes.Add((t.GetProperty("timeMs").GetInt64(), t.GetProperty("cpuMs").GetInt64(), t.GetProperty("memoryKb").GetInt64()));
            }
        }
        var c1Before = await client.MetricsAsync();
        subs.Add(await Stats.Measure("Judge submission ?wait=true", 1, subN, Submit));
        var c1After = await client.MetricsAsync();
        var c1Tests = testTimes.ToList();
        subs.Add(await Stats.Measure("Judge submission ?wait=true", 8, subN, Submit));
        var satBefore = await client.MetricsAsync();
        var hostPids = api.HostPids().ToList();
        var cpuBefore = CpuSplit(api.Pid, hostPids);
        subs.Add(await Stats.Measure("Judge submission ?wait=true", 32, subN * 2, Submit));
        var cpuAfter = CpuSplit(api.Pid, hostPids);
        var satAfter = await client.MetricsAsync();

        sampler.Change(Timeout.Infinite, Timeout.Infinite);

        // ---- report ----
        Stats? Baseline(List<Stats> rows, string prefix, int c) =>
            rows.Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal) && r.Concurrency <= c).MaxBy(r => r.Concurrency);
        Console.WriteLine();
        Console.WriteLine("## Ad-hoc runs (POST /v1/runs, trivial snippet) vs. one subprocess per run");
        Stats.PrintTable(runs, s => s.Name.StartsWith("Judge", StringComparison.Ordinal) ? Baseline(runs, "bwrap", s.Concurrency) : null);
        PrintMedianRatios(runs, "Judge", "bwrap", "python3");
        Console.WriteLine("(× baseline: runs/s relative to bwrap + python3 at the same concurrency, or the highest measured below it)");
        Console.WriteLine($"server side (judge_adhoc_run_seconds): mean {runsAfter.MeanMsSince(runsBefore, "judge_adhoc_run_seconds"):F2} ms per run over all four Judge scenarios");

        Console.WriteLine();
        Console.WriteLine("## 10-test submission (POST /v1/submissions?wait=true) vs. one subprocess per test");
        Stats.PrintTable(subs, s => s.Name.StartsWith("Judge", StringComparison.Ordinal) ? Baseline(subs, "10 × bwrap", s.Concurrency) : null);
        PrintMedianRatios(subs, "Judge", "10 × bwrap", "10 × python3");
        Console.WriteLine("(runs/s here = submissions/s; × baseline relative to 10 × bwrap + python3 at the same concurrency or the highest below)");

        var sat = subs[^1];
        var bwrapBest = subs.Where(s => s.Name.StartsWith("10 × bwrap", StringComparison.Ordinal)).MaxBy(s => s.PerSecond)!;
        var pyBest = subs.Where(s => s.Name.StartsWith("10 × python3", StringComparison.Ordinal)).MaxBy(s => s.PerSecond)!;
        double judgePerTest = 1000.0 / (sat.PerSecond * 10), bwrapPerTest = 1000.0 / (bwrapBest.PerSecond * 10), pyPerTest = 1000.0 / (pyBest.PerSecond * 10);
        Console.WriteLine();
        Console.WriteLine("## Per-test cost at saturation (wall time of the 2-core machine per test = 1 / test runs per second)");
        Console.WriteLine($"Judge {judgePerTest:F2} ms/test ({sat.PerSecond * 10:F0} test runs/s) · bwrap + python3 {bwrapPerTest:F2} ms/test " +
            $"({bwrapPerTest / judgePerTest:F1}× Judge) · python3 -S -I {pyPerTest:F2} ms/test ({pyPerTest / judgePerTest:F1}× Judge)");

        static (double Median, double P90, double Mean) Summ(IEnumerable<long> xs)
        {
            var s = xs.Select(x => (double)x).Order().ToArray();
            return s.Length == 0 ? (double.NaN, double.NaN, double.NaN) : (s[s.Length / 2], s[Math.Min(s.Length - 1, (int)(s.Length * 0.9))], s.Average());
        }
        var cpu = Summ(c1Tests.Select(t => t.Cpu));
        var wall = Summ(c1Tests.Select(t => t.Time));
        var mem = Summ(c1Tests.Select(t => t.Mem));
        Console.WriteLine();
        Console.WriteLine("## Where the time goes (10-test submission, concurrency 1, means per submission unless noted)");
        var c1 = subs.First(s => s.Name.StartsWith("Judge", StringComparison.Ordinal) && s.Concurrency == 1);
        double rtt = c1.LatenciesMs.Average();
        double queue = c1After.MeanMsSince(c1Before, "judge_queue_wait_seconds");
        double grading = c1After.MeanMsSince(c1Before, "judge_grading_seconds");
        double slowest = Summ(submissionTimeMs.Take(subN)).Mean;
        Console.WriteLine($"client round trip (POST ?wait=true → 200)      {rtt,8:F2} ms   (median {c1.Median:F2})");
        Console.WriteLine($"  HTTP + request handling + storage            {rtt - queue - grading,8:F2} ms   (round trip − queue wait − grading)");
        Console.WriteLine($"  queue wait (judge_queue_wait_seconds)        {queue,8:F2} ms");
        Console.WriteLine($"  grading (judge_grading_seconds)              {grading,8:F2} ms   (the 10 tests in one sandbox child, one after another)");
        Console.WriteLine($"    slowest test's wall (submission timeMs)    {slowest,8:F2} ms");
        Console.WriteLine($"    grading outside the slowest test           {grading - slowest,8:F2} ms   (the other nine tests, the child's start, dispatch, compare, result)");
        Console.WriteLine($"  per test: wall median {wall.Median} ms, p90 {wall.P90} ms, mean {wall.Mean:F2} ms; CPU (cpuMs) median {cpu.Median} ms, mean {cpu.Mean:F2} ms " +
            $"→ {cpu.Mean * 10:F1} ms of sandbox CPU per submission");
        Console.WriteLine($"submission timeMs (as the API reports it): median {Summ(submissionTimeMs).Median} ms; memoryKb per test median {mem.Median}");
        Console.WriteLine($"at saturation (c=32): grading mean {satAfter.MeanMsSince(satBefore, "judge_grading_seconds"):F2} ms, queue wait mean {satAfter.MeanMsSince(satBefore, "judge_queue_wait_seconds"):F2} ms");

        int satCount = subN * 2;
        double apiCpu = (cpuAfter.Api - cpuBefore.Api) / satCount, hostCpu = (cpuAfter.Hosts - cpuBefore.Hosts) / satCount;
        double zygoteCpu = (cpuAfter.Zygotes - cpuBefore.Zygotes) / satCount, childCpu = (cpuAfter.Children - cpuBefore.Children) / satCount;
        Console.WriteLine($"CPU per submission at saturation: API process {apiCpu:F2} ms (HTTP, request handling, storage, queue, pool, " +
            $"grading), hosts {hostCpu:F2} ms, zygotes {zygoteCpu:F2} ms, children {childCpu:F2} ms; total {apiCpu + hostCpu + zygoteCpu + childCpu:F2} ms");

        Console.WriteLine();
        Console.WriteLine("## Targets (issue 11), from the rows above");
        var adHoc1 = runs.Single(r => r.Name.StartsWith("Judge", StringComparison.Ordinal) && r.Concurrency == 1);
        var adHoc2 = runs.Single(r => r.Name.StartsWith("Judge", StringComparison.Ordinal) && r.Concurrency == 2);
        var bwrap2 = runs.Single(r => r.Name.StartsWith("bwrap", StringComparison.Ordinal) && r.Concurrency == 2);
        var tenBwrap = Baseline(subs, "10 × bwrap", sat.Concurrency)!;
        Console.WriteLine($"10-test submission p50 at c=1 / ad-hoc run p50 at c=1: {c1.Median:F2} / {adHoc1.Median:F2} ms = {c1.Median / adHoc1.Median:F2}× (target ≤ 2.5×)");
        Console.WriteLine($"submissions/s at saturation (c={sat.Concurrency}) / 10 × bwrap + python3 (c={tenBwrap.Concurrency}): {sat.PerSecond:F1} / {tenBwrap.PerSecond:F1} = {sat.PerSecond / tenBwrap.PerSecond:F1}× (target ≥ 10×)");
        Console.WriteLine($"ad-hoc runs/s at c=2 / bwrap + python3 at c=2: {adHoc2.PerSecond:F0} / {bwrap2.PerSecond:F0} = {adHoc2.PerSecond / bwrap2.PerSecond:F1}× (target ≥ 3×)");

        Console.WriteLine();
        Console.WriteLine("## Memory (VmRSS)");
        Console.WriteLine($"API process {api.ApiRssKb / 1024.0:F1} MiB now, peak sampled {peakApiRss / 1024.0:F1} MiB");
        foreach (var h in api.HostPids())
        {
            Console.WriteLine($"sandbox host pid {h}: {ProcTree.RssKb(h) / 1024.0:F1} MiB");
        }
        Console.WriteLine($"bwrap wrapper processes, all together: {ProcTree.Descendants(api.Pid).Where(p => ProcTree.Comm(p) == "bwrap").Sum(ProcTree.RssKb) / 1024.0:F1} MiB; host peak sampled {peakHostRss / 1024.0:F1} MiB");
        Console.WriteLine($"bench process {Process.GetCurrentProcess().WorkingSet64 / 1048576.0:F1} MiB");
        api.KeepData = false;
        return 0;
    }

    static (double Api, double Hosts, double Zygotes, double Children) CpuSplit(int api, List<int> hosts)
    {
        double own = 0, children = 0, zygotes = 0;
        foreach (var h in hosts)
        {
            var (o, c) = ProcTree.CpuMs(h);
            own += o;
            children += c;
            if (ProcTree.Zygote(h) is { } z) zygotes += ProcTree.CpuMs(z).Own;
        }
        return (ProcTree.CpuMs(api).Own, own, zygotes, children);
    }

    static void PrintMedianRatios(List<Stats> rows, string judge, string bwrap, string python)
    {
        foreach (var j in rows.Where(r => r.Name.StartsWith(judge, StringComparison.Ordinal)))
        {
            var b = rows.FirstOrDefault(r => r.Name.StartsWith(bwrap, StringComparison.Ordinal) && r.Concurrency == j.Concurrency);
            var p = rows.FirstOrDefault(r => r.Name.StartsWith(python, StringComparison.Ordinal) && r.Concurrency == j.Concurrency);
            if (b is null || p is null) continue;
            Console.WriteLine($"  median latency at c={j.Concurrency}: bwrap/Judge {b.Median / j.Median:F1}×, python3/Judge {p.Median / j.Median:F1}×");
        }
    }
}
