namespace Judge.Bench;

/// <summary>Latency samples of one scenario and what they add up to.</summary>
internal sealed record Stats(string Name, int Concurrency, double[] LatenciesMs, double Seconds)
{
    public double Median => Percentile(0.50);
    public double P90 => Percentile(0.90);
    public double P99 => Percentile(0.99);
    public double PerSecond => LatenciesMs.Length / Seconds;

    double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>Runs <paramref name="total"/> operations with <paramref name="concurrency"/> workers; records each latency.</summary>
    public static async Task<Stats> Measure(string name, int concurrency, int total, Func<Task> operation)
    {
        var latencies = new double[total];
        int next = -1;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                await operation();
                latencies[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }));
        return new Stats(name, concurrency, latencies, wall.Elapsed.TotalSeconds);
    }

    public static void PrintTable(IEnumerable<Stats> rows, Func<Stats, Stats?> baselineOf)
    {
        Console.WriteLine($"{"scenario",-34} {"conc",4} {"n",6} {"median ms",10} {"p90 ms",8} {"p99 ms",8} {"runs/s",9} {"× baseline",10}");
        foreach (var s in rows)
        {
            var b = baselineOf(s);
            string ratio = b is null || ReferenceEquals(b, s) ? "" : $"{s.PerSecond / b.PerSecond,9:F1}×";
            Console.WriteLine($"{s.Name,-34} {s.Concurrency,4} {s.LatenciesMs.Length,6} {s.Median,10:F2} {s.P90,8:F2} {s.P99,8:F2} {s.PerSecond,9:F0} {ratio,10}");
        }
    }
}
