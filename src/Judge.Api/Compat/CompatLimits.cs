using System.Numerics;
using Judge.Sandbox;

namespace Judge.Api.Compat;

/// <summary>
/// A compatibility request's limits, in its own numbers (Judge0's decimal seconds and KB, Piston's ms and bytes, both
/// made ms and MB by the caller), as Judge runs them and as its outcome is judged. Each surface validates its fields
/// first, with its own messages; this only maps what was accepted.
/// </summary>
internal static class CompatLimits
{
    /// <summary>Judge's run limits: the CPU budget is the smaller of the CPU and wall-clock limits (a run cannot use more
    /// CPU than wall time), memory in whole MB; both rounded up, then within Judge's bounds.</summary>
    public static ResourceLimits RunLimits<T>(T cpuMs, T wallMs, T memoryMb) where T : IFloatingPoint<T> => new(
        Bounded(T.Ceiling(T.Min(cpuMs, wallMs)), ResourceLimits.MinTimeMs, ResourceLimits.MaxTimeMs),
        Bounded(T.Ceiling(memoryMb), ResourceLimits.MinMemoryMb, ResourceLimits.MaxMemoryMb));

    /// <summary>How a run ended, measured against the request's own limits, which may be tighter than the run's budget:
    /// a run that ended by itself after more wall-clock time than <paramref name="wallLimitMs"/>, or more CPU time than
    /// <paramref name="cpuLimitMs"/> (0: no CPU limit), timed out.</summary>
    public static (ProcessEnd End, bool WallClock) Measured<T>(PythonProcess p, T wallLimitMs, T cpuLimitMs) where T : INumber<T>
    {
        if (p.End is not (ProcessEnd.Exited or ProcessEnd.Signaled)) return (p.End, p.WallClock);
        if (T.CreateChecked(p.WallMs) > wallLimitMs) return (ProcessEnd.TimedOut, true);
        if (cpuLimitMs > T.Zero && T.CreateChecked(p.CpuMs) > cpuLimitMs) return (ProcessEnd.TimedOut, false);
        return (p.End, p.WallClock);
    }

    static int Bounded<T>(T value, int min, int max) where T : INumber<T> =>
        int.CreateSaturating(T.Clamp(value, T.CreateChecked(min), T.CreateChecked(max)));
}
