using Judge.Sandbox.Pool;
using Microsoft.Extensions.Options;

namespace Judge.Sandbox.Tests;

/// <summary>One real pool (bwrap + pythonnet hosts) shared by the tests of a collection.</summary>
public sealed class PoolFixture : IAsyncLifetime
{
    public SandboxPool Pool { get; } = new(Options.Create(new SandboxOptions { Hosts = 2, RunsPerHost = 4 }));

    public async Task InitializeAsync()
    {
        await Pool.StartAsync(CancellationToken.None);
        await Pool.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync() => await Pool.DisposeAsync();

    public Task<RunResult> Run(string code, string? expr = null, string? setup = null, string? stdin = null,
        RunMode mode = RunMode.Function, ResourceLimits? limits = null) =>
        Pool.RunAsync(new RunRequest(code) { Expr = expr, Setup = setup, Stdin = stdin, Mode = mode, Limits = limits ?? ResourceLimits.Default });
}

[CollectionDefinition(Name)]
public sealed class PoolCollection : ICollectionFixture<PoolFixture>
{
    public const string Name = "sandbox pool";
}
