using System.Globalization;

namespace Judge.Sandbox.Tests;

/// <summary>The process tree below a host's bwrap, read from /proc (the tests run as root, outside the jail).</summary>
internal static class ProcTree
{
    /// <summary>The zygote below the bwrap process <paramref name="bwrap"/>: the oldest child of the .NET host.</summary>
    public static int? Zygote(int bwrap)
    {
        int? host = Descendants(bwrap).FirstOrDefault(p => Comm(p) == "dotnet" && Stat(p) is { } s && Comm(int.Parse(s[1], CultureInfo.InvariantCulture)) == "bwrap");
        if (host is null) return null;
        return Children(host.Value)
            .Select(p => (Pid: p, Start: Stat(p)?[19]))
            .Where(c => c.Start is not null)
            .OrderBy(c => long.Parse(c.Start!, CultureInfo.InvariantCulture))
            .Select(c => (int?)c.Pid)
            .FirstOrDefault();
    }

    static IEnumerable<int> Descendants(int root)
    {
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out int pid))
        {
            foreach (int child in Children(pid))
            {
                yield return child;
                queue.Enqueue(child);
            }
        }
    }

    static IEnumerable<int> Children(int parent) => Directory.EnumerateDirectories("/proc")
        .Select(d => int.TryParse(Path.GetFileName(d), out int pid) ? pid : -1)
        .Where(pid => pid > 0 && Stat(pid) is { } s && s[1] == parent.ToString(CultureInfo.InvariantCulture))
        .ToList();

    static string? Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return null; }
    }

    /// <summary>Fields of /proc/pid/stat after the command name: [0] is the state, [1] the parent, [19] the start time.</summary>
    static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
    }
}
