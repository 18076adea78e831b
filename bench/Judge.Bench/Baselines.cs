using System.Diagnostics;

namespace Judge.Bench;

/// <summary>What a user without Judge would do: a python3 subprocess per run, bare or inside bwrap; every benchmark uses these.</summary>
internal static class Baselines
{
    public static readonly string Bwrap = File.Exists("/usr/bin/bwrap") ? "/usr/bin/bwrap" : "bwrap";

    public static string[] PythonArgs(string code) => ["-S", "-I", "-c", code];

    public static string[] BwrapArgs(string code) => ["--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
        "--proc", "/proc", "--dev", "/dev", "--clearenv", "/usr/bin/python3", "-S", "-I", "-c", code];

    /// <summary>Runs python3 -S -I -c code (in bwrap when <paramref name="inBwrap"/>); throws unless it printed <paramref name="expected"/>.</summary>
    public static async Task RunAsync(bool inBwrap, string code, string expected)
    {
        var psi = inBwrap ? new ProcessStartInfo(Bwrap, BwrapArgs(code)) : new ProcessStartInfo("/usr/bin/python3", PythonArgs(code));
        psi.RedirectStandardOutput = true;
        psi.UseShellExecute = false;
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0 || output.Trim() != expected)
            throw new InvalidOperationException($"{psi.FileName} failed: exit {p.ExitCode}, output '{output.Trim()}', expected '{expected}'");
    }

    /// <summary>A 10-test submission done by hand: one subprocess per test, the candidate code plus the test's expression, compared in the harness.</summary>
    public static async Task TenTestsAsync(bool inBwrap, string candidate)
    {
        for (int i = 0; i < 10; i++)
            await RunAsync(inBwrap, candidate + $"\nprint(repr(add({i}, {i * 7 + 1})))\n", (i + i * 7 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The floor under any fork-per-run design with CPython on this machine: a python3 (standard library warmed the
    /// way the harness warms it, -S -I) that forks and reaps <paramref name="n"/> children which exit at once.
    /// Returns (ms of wall time per fork+exit+reap, ms of CPU per fork+exit+reap in parent and child together).
    /// </summary>
    public static async Task<(double WallMs, double CpuMs)> PythonForkFloorAsync(int n)
    {
        const string script = """
            import asyncio, collections, dataclasses, functools, inspect, itertools, json, re, typing
            import gc, os, resource, sys, time
            gc.collect(); gc.freeze()
            n = int(sys.argv[1])
            start = time.perf_counter(); before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            for _ in range(n):
                pid = os.fork()
                if pid == 0:
                    os._exit(0)
                os.waitpid(pid, 0)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
            print(wall * 1000 / n, cpu * 1000 / n)
            """;
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-S", "-I", "-c", script, n.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var output = (await p.StandardOutput.ReadToEndAsync()).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        await p.WaitForExitAsync();
        if (p.ExitCode != 0 || output.Length != 2) throw new InvalidOperationException($"the fork floor script failed: exit {p.ExitCode}");
        return (double.Parse(output[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(output[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
