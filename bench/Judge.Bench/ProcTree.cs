using System.Globalization;

namespace Judge.Bench;

/// <summary>
/// Processes read from /proc: parents, children, states, CPU, RSS, and where a sandbox pool's hosts and zygotes are.
/// The sandbox tests compile this file too (tests/Judge.Sandbox.Tests links it), so both look at the tree one way.
/// </summary>
internal static class ProcTree
{
    /// <summary>The sandbox hosts started by the process <paramref name="root"/> (an API, or the bench's own pool).</summary>
    public static List<int> SandboxHostsBelow(int root) =>
        [.. Descendants(root).Where(p => Comm(p) == "dotnet" && PPid(p) is int pp && Comm(pp) == "bwrap")];

    /// <summary>A host's zygote: its oldest child (spares and runs are its children too, forked later).</summary>
    public static int? Zygote(int host) => Children(host)
        .Select(pid => (Pid: pid, Start: ProcStartTime(pid)))
        .Where(c => c.Start is not null)
        .OrderBy(c => long.Parse(c.Start!, CultureInfo.InvariantCulture))
        .Select(c => (int?)c.Pid)
        .FirstOrDefault();

    public static IEnumerable<int> Children(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            if (PPid(pid) == parent) yield return pid;
        }
    }

    public static List<int> Descendants(int root)
    {
        var all = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out int pid) && PPid(pid) is int pp) all[pid] = pp;
        var result = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.Count > 0)
        {
            int p = frontier.Dequeue();
            foreach (var (child, parent) in all)
                if (parent == p) { result.Add(child); frontier.Enqueue(child); }
        }
        return result;
    }

    /// <summary>Fields of /proc/pid/stat after the command name: [0] state, [1] ppid, ..., [19] starttime.</summary>
    static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>CPU of the process itself and of its reaped children, in ms (utime+stime and cutime+cstime, 10 ms ticks).</summary>
    public static (double Own, double Children) CpuMs(int pid) => StatFields(pid) is { } f
        ? ((Tick(f[11]) + Tick(f[12])) * 10, (Tick(f[13]) + Tick(f[14])) * 10)
        : (0, 0);

    static double Tick(string field) => double.Parse(field, CultureInfo.InvariantCulture);

    public static int? PPid(int pid) => StatFields(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : null;
    public static string? State(int pid) => StatFields(pid)?[0];
    public static string? ProcStartTime(int pid) => StatFields(pid)?[19];

    public static string? Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return null; }
    }

    /// <summary>VmRSS of a process in KiB, 0 when it is gone.</summary>
    public static long RssKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return 0;
    }
}
