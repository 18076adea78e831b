using System.Diagnostics;
using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Core.Validation;
using Judge.Sandbox.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Judge.Bench;

/// <summary>
/// The whole bank validated (solution, starter and every mutant graded, reference values computed) in batch isolation
/// and in process isolation, alternated, on one pool: wall time and CPU of each pass, and whether both decided the same.
/// </summary>
internal static class BankBench
{
    public static async Task<int> RunAsync(int rounds)
    {
        var folder = Path.Combine(Directory.GetCurrentDirectory(), "problems");
        if (!Directory.Exists(folder))
        {
            Console.Error.WriteLine($"no problems/ under {Directory.GetCurrentDirectory()}: run from the repository root");
            return 2;
        }
        var problems = ProblemLoader.LoadFolder(folder).Where(r => r.Ok).Select(r => r.Problem!).ToList();
        Console.WriteLine($"# bank benchmark: {problems.Count} problems, {rounds} round(s) of batch then process, {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
        using var logging = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        await using var pool = new SandboxPool(Options.Create(new SandboxOptions { RunsPerHost = 4 }), logging.CreateLogger<SandboxPool>());
        await pool.StartAsync(CancellationToken.None);
        await pool.WaitUntilReadyAsync();
        var hosts = ProcTree.SandboxHostsBelow(Environment.ProcessId);

        var verdicts = new Dictionary<Isolation, List<string>>();
        for (int round = 0; round < rounds; round++)
        {
            foreach (var isolation in new[] { Isolation.Batch, Isolation.Process })
            {
                // A fresh grader: each pass computes its reference values itself.
                var validator = new ProblemValidator(new Grader(pool));
                var seen = new List<string>();
                double cpuBefore = SandboxBench.TotalCpuMs(hosts);
                var wall = Stopwatch.StartNew();
                int tests = 0;
                // Two problems at a time, as the validate command's caller would.
                await Parallel.ForEachAsync(problems, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (problem, ct) =>
                {
                    var report = await validator.ValidateAsync(problem with { Isolation = isolation }, ct);
                    lock (seen)
                    {
                        tests += report.Grades.Sum(g => g.Grade.Tests.Count);
                        seen.AddRange(report.Grades.SelectMany(g => g.Grade.Tests.Select(t => $"{problem.Id} {g.Name} {t.Name}: {t.Verdict}")));
                    }
                });
                wall.Stop();
                double cpu = SandboxBench.TotalCpuMs(hosts) - cpuBefore;
                Console.WriteLine($"{isolation,-8} pass {round + 1}: {wall.Elapsed.TotalSeconds,6:F1} s wall, {cpu / 1000,6:F1} s CPU, " +
                    $"{tests} test runs, {cpu / tests:F2} ms CPU per test");
                seen.Sort(StringComparer.Ordinal);
                verdicts[isolation] = seen;
            }
            var differ = verdicts[Isolation.Batch].Except(verdicts[Isolation.Process]).ToList();
            Console.WriteLine(differ.Count == 0
                ? "  same verdict for every test of every solution, starter and mutant in both modes"
                : $"  {differ.Count} per-test verdicts differ, e.g. {string.Join("; ", differ.Take(5))}");
        }
        return 0;
    }
}
