using System.ComponentModel.DataAnnotations;

namespace Judge.Sandbox.Pool;

/// <summary>Configuration section "Sandbox".</summary>
public sealed class SandboxOptions
{
    /// <summary>Number of sandbox hosts; 0 means one per core.</summary>
    [Range(0, 64)] public int Hosts { get; set; }

    /// <summary>Runs in flight at once per host (children forked and not yet reaped).</summary>
    [Range(1, 64)] public int RunsPerHost { get; set; } = 4;

    /// <summary>Path to libpython; empty means probe the usual names.</summary>
    public string PythonLibrary { get; set; } = "";

    /// <summary>Path to bwrap; empty means search PATH.</summary>
    public string Bwrap { get; set; } = "";


    /// <summary>Hosts started: <see cref="Hosts"/>, or one per core.</summary>
    public int HostCount(int cores) => Hosts > 0 ? Hosts : cores;

    /// <summary>Runs the pool holds at once.</summary>
    public int SlotCount(int cores) => HostCount(cores) * RunsPerHost;

    /// <summary>Captured stdout and stderr per run, each, in bytes.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int OutputLimitBytes { get; set; } = 256 * 1024;

    /// <summary>Largest request (code + setup + expr + stdin) sent to a child, in bytes.</summary>
    [Range(1024, 64 * 1024 * 1024)] public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;
}
