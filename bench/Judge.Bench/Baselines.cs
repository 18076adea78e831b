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
}
