using Judge.Sandbox.Native;

namespace Judge.Sandbox.Pool;

/// <summary>Thrown when the sandbox cannot run on this machine; the message names what to install.</summary>
public sealed class SandboxUnavailableException(string message) : Exception(message);

/// <summary>What the pool needs from the machine, found once at start-up.</summary>
internal sealed record Prerequisites(string Bwrap, string Unshare, string PythonLibrary, string DotnetRoot, string DotnetMuxer, string AppDirectory)
{
    static readonly string[] LibDirs =
        ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", "/lib/x86_64-linux-gnu", "/lib"];

    public static Prerequisites Find(SandboxOptions options)
    {
        var problems = new List<string>();
        string? bwrap = Nonempty(options.Bwrap) ?? SearchPath("bwrap");
        if (bwrap is null || !File.Exists(bwrap))
            problems.Add("bubblewrap (bwrap) was not found: install the Debian package 'bubblewrap' (apt-get install -y bubblewrap) or set Sandbox:Bwrap");

        string? python = Nonempty(options.PythonLibrary) ?? Probe("libpython3.11.so.1.0", "libpython3.11.so");
        if (python is null || !File.Exists(python))
            problems.Add("libpython 3.11 was not found: install the Debian package 'libpython3.11' (apt-get install -y libpython3.11) or set Sandbox:PythonLibrary");
        else if (!python.StartsWith("/usr/", StringComparison.Ordinal))
            problems.Add($"libpython at {python} is outside /usr, the only system tree the jail sees");
        if (!File.Exists("/usr/lib/python3.11/os.py"))
            problems.Add("the Python 3.11 standard library was not found: install the Debian package 'libpython3.11-stdlib'");

        if (Probe("libseccomp.so.2") is null)
            problems.Add("libseccomp was not found: install the Debian package 'libseccomp2' (apt-get install -y libseccomp2)");

        string? unshare = SearchPath("unshare");
        if (unshare is null)
            problems.Add("unshare was not found: install the Debian package 'util-linux'");
        if (SearchPath("newuidmap") is null || SearchPath("newgidmap") is null)
            problems.Add("newuidmap/newgidmap were not found: install the Debian package 'uidmap' (apt-get install -y uidmap)");
        int needed = HostLauncher.FirstRunUid + options.SlotCount(Environment.ProcessorCount);
        foreach (var file in new[] { "/etc/subuid", "/etc/subgid" })
        {
            if (SubordinateRange(file) is not { } count)
                problems.Add($"{file} has no range for user {Environment.UserName}: the hosts and every run get uids of their own from it; "
                    + $"add one (as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {Environment.UserName}; scripts/setup.sh does it for root)");
            else if (count < needed)
                problems.Add($"{file} gives user {Environment.UserName} {count} ids; the pool needs at least {needed}");
        }

        // The runtime that runs the API runs the host too: <root>/shared/Microsoft.NETCore.App/<version>/.
        string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        string muxer = Path.Combine(dotnetRoot, "dotnet");
        if (!File.Exists(muxer))
            problems.Add($"the dotnet host was not found at {muxer}");

        string appDir = AppContext.BaseDirectory;
        foreach (var file in HostLauncher.AppFiles)
        {
            if (!File.Exists(Path.Combine(appDir, file)))
                problems.Add($"{file} is missing from {appDir}: build the solution (dotnet build)");
        }
        if (!File.Exists(Path.Combine(appDir, "sandbox", "harness.py")))
            problems.Add($"the sandbox harness is missing from {Path.Combine(appDir, "sandbox")}: build the solution (dotnet build)");

        if (problems.Count > 0)
            throw new SandboxUnavailableException("The sandbox cannot start: " + string.Join("; ", problems));
        return new Prerequisites(bwrap!, unshare!, python!, dotnetRoot, muxer, appDir);
    }

    /// <summary>
    /// Copies what the jail needs (the host's binaries and the harness) to a fresh world-readable directory: the
    /// unprivileged sandbox uid may not be able to traverse the build output (under /root, say), and the jail then
    /// sees exactly these files.
    /// </summary>
    public Prerequisites StageAppFiles()
    {
        var stage = Path.Combine(Path.GetTempPath(), $"judge-app-{Environment.ProcessId}-{Guid.NewGuid():N}");
        const UnixFileMode dirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        const UnixFileMode fileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        Directory.CreateDirectory(Path.Combine(stage, "sandbox"), dirMode);
        File.SetUnixFileMode(stage, dirMode);
        foreach (var file in HostLauncher.AppFiles)
            Copy(Path.Combine(AppDirectory, file), Path.Combine(stage, file));
        foreach (var file in Directory.GetFiles(Path.Combine(AppDirectory, "sandbox")))
        {
            if (file.EndsWith(".py", StringComparison.Ordinal) || file.EndsWith(".args", StringComparison.Ordinal))
                Copy(file, Path.Combine(stage, "sandbox", Path.GetFileName(file)));
        }
        return this with { AppDirectory = stage };

        static void Copy(string from, string to)
        {
            File.Copy(from, to);
            File.SetUnixFileMode(to, fileMode);
        }
    }

    /// <summary>The size of this user's first range in /etc/subuid or /etc/subgid (by name or uid), or null.</summary>
    static long? SubordinateRange(string file)
    {
        string[] lines;
        try { lines = File.ReadAllLines(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var uid = Libc.getuid().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var line in lines)
        {
            var parts = line.Split(':');
            if (parts.Length == 3 && (parts[0] == Environment.UserName || parts[0] == uid) &&
                long.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var count))
                return count;
        }
        return null;
    }

    static string? Nonempty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;

    static string? SearchPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    static string? Probe(params string[] names) =>
        LibDirs.SelectMany(d => names.Select(n => Path.Combine(d, n))).FirstOrDefault(File.Exists);
}
