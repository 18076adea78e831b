using Microsoft.Extensions.Hosting;

namespace Judge.Sandbox.Pool;

/// <summary>Starts, watches and restarts the sandbox hosts, and dispatches runs to them.</summary>
public sealed class SandboxPool : ISandbox, IHostedService, IAsyncDisposable
{
    /// <summary>True once every host has warmed up.</summary>
    public bool IsReady => false;

    /// <summary>Why the pool is not ready (missing bwrap, libpython, ...), or null.</summary>
    public string? NotReadyReason => "not implemented yet";

    /// <summary>Hosts replaced after a crash or kill since start.</summary>
    public long HostRestarts => 0;

    public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
