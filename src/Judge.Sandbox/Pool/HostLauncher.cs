using System.Diagnostics;
using Judge.Sandbox.Native;

namespace Judge.Sandbox.Pool;

/// <summary>Builds the command line that starts one host inside bwrap (profile: sandbox/bwrap.args).</summary>
internal static class HostLauncher
{
    /// <summary>The only application files the jail sees, besides the harness directory.</summary>
    public static readonly string[] AppFiles =
        ["Judge.Sandbox.Host.dll", "Judge.Sandbox.Host.runtimeconfig.json", "Judge.Sandbox.Host.deps.json", "Python.Runtime.dll"];

    public const string ControlPathInJail = "/run/judge/control.sock";

    /// <summary>The first uid (inside the host's user namespace) of the run uids; the host itself is uid 0 there.</summary>
    public const int FirstRunUid = 1000;

    /// <summary>The run uids of host <paramref name="slot"/>: one per run it may hold at once, none shared with another
    /// host, so no two runs in flight anywhere in the pool share a uid (and with it RLIMIT_NPROC, pipe buffers, signals).</summary>
    public static (int First, int Count) RunUids(int slot, SandboxOptions options) =>
        (FirstRunUid + slot * options.RunsPerHost, options.RunsPerHost);

    public static ProcessStartInfo Build(Prerequisites pre, SandboxOptions options, int slot, string controlDir)
    {
        var psi = new ProcessStartInfo
        {
            FileName = pre.Unshare,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Nothing of the pool's environment goes into the jail.
        psi.Environment.Clear();
        // A new user namespace mapping this user's subordinate uid range (newuidmap, /etc/subuid), entered as its root:
        // the host's uid (0 inside) and every run's uid are ids no other process on the machine has, not the pool's.
        foreach (var a in new[] { "--user", "--map-auto", "--setuid", "0", "--setgid", "0", "--", pre.Bwrap })
            psi.ArgumentList.Add(a);
        foreach (var arg in ProfileArguments(pre, controlDir)) psi.ArgumentList.Add(arg);
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add(pre.DotnetMuxer);
        psi.ArgumentList.Add("/app/Judge.Sandbox.Host.dll");
        psi.ArgumentList.Add("--control");
        psi.ArgumentList.Add(ControlPathInJail);
        psi.ArgumentList.Add("--python");
        psi.ArgumentList.Add(pre.PythonLibrary);
        psi.ArgumentList.Add("--harness");
        psi.ArgumentList.Add("/app/sandbox");
        var (first, count) = RunUids(slot, options);
        psi.ArgumentList.Add("--run-uids");
        psi.ArgumentList.Add(FormattableString.Invariant($"{first}:{count}"));
        return psi;
    }

    static IEnumerable<string> ProfileArguments(Prerequisites pre, string controlDir)
    {
        var profile = Path.Combine(pre.AppDirectory, "sandbox", "bwrap.args");
        foreach (var raw in File.ReadAllLines(profile))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line == "{app_binds}")
            {
                foreach (var a in AppBinds(pre)) yield return a;
                continue;
            }
            yield return line.Replace("{control_dir}", controlDir, StringComparison.Ordinal);
        }
    }

    static IEnumerable<string> AppBinds(Prerequisites pre)
    {
        if (!pre.DotnetRoot.StartsWith("/usr/", StringComparison.Ordinal))
        {
            yield return "--ro-bind"; yield return pre.DotnetRoot; yield return pre.DotnetRoot;
        }
        foreach (var file in AppFiles)
        {
            yield return "--ro-bind"; yield return Path.Combine(pre.AppDirectory, file); yield return "/app/" + file;
        }
        yield return "--ro-bind"; yield return Path.Combine(pre.AppDirectory, "sandbox"); yield return "/app/sandbox";
    }

    /// <summary>A fresh directory for one host's control socket, reachable by the sandbox uid.</summary>
    public static string CreateControlDirectory(int slot)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"judge-sandbox-{Environment.ProcessId}-{slot}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return dir;
    }
}
