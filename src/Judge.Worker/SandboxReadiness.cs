using Judge.Sandbox;
using Judge.Sandbox.Pool;

namespace Judge.Worker;

/// <summary>Whether runs can be sent now. Only the real pool warms up; any other ISandbox counts as ready.</summary>
internal static class SandboxReadiness
{
    public static bool IsReady(IServiceProvider services) => Reason(services) is null;

    public static string? Reason(IServiceProvider services) =>
        services.GetRequiredService<ISandbox>() is SandboxPool pool && !pool.IsReady ? pool.NotReadyReason ?? "sandbox pool is starting" : null;
}
