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

    public static ProcessStartInfo Build(Prerequisites pre, SandboxOptions options, string controlDir)
    {
        var psi = new ProcessStartInfo
        {
            FileName = pre.Setpriv ?? pre.Bwrap,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // bwrap's own pid-1 in the jail keeps bwrap's environment: give it none.
        psi.Environment.Clear();
        if (pre.Setpriv is not null)
        {
            // As root, RLIMIT_NPROC is not enforced: the hosts run as an unprivileged uid so the task cap holds.
            var uid = options.SandboxUid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var a in new[] { "--reuid", uid, "--regid", uid, "--clear-groups", "--inh-caps=-all", "--", pre.Bwrap })
                psi.ArgumentList.Add(a);
        }
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

    public static bool RunningAsRoot => Libc.getuid() == 0;
}
