namespace Judge.Storage;

/// <summary>Configuration section "Problems".</summary>
public sealed class ProblemsOptions
{
    /// <summary>The problem bank; empty means the nearest "problems" folder at or above the current directory (else the content root, else the app's folder); relative paths are resolved against the current directory.</summary>
    public string Directory { get; set; } = "";

    public static string? FindDefault(params string[] starts)
    {
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (System.IO.Directory.Exists(Path.Combine(dir.FullName, "problems")))
                    return Path.Combine(dir.FullName, "problems");
        return null;
    }
}
