using Judge.Core.Validation;
using Judge.Sandbox.Pool;

namespace Judge.Api.Cli;

/// <summary><c>Judge.Api validate &lt;folder&gt;</c>: validates problems with a real sandbox pool, no web server; exits with the command's code.</summary>
internal static class ValidateCli
{
    /// <summary>
    /// `dotnet run` starts a web project in its own folder, so a relative path is first taken from the caller's shell
    /// directory (PWD), then from the working directory.
    /// </summary>
    static string Resolve(string folder)
    {
        if (Path.IsPathRooted(folder)) return folder;
        var fromShell = Environment.GetEnvironmentVariable("PWD") is { Length: > 0 } pwd ? Path.GetFullPath(folder, pwd) : null;
        return fromShell is not null && Directory.Exists(fromShell) ? fromShell : Path.GetFullPath(folder);
    }

    public static async Task<int> RunAsync(string folder, string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        // The table goes to stdout; logs (warnings and worse) to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Services.AddSandbox();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var pool = host.Services.GetRequiredService<SandboxPool>();
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!pool.IsReady && DateTime.UtcNow < deadline) await Task.Delay(100);
            if (!pool.IsReady)
            {
                await Console.Error.WriteLineAsync($"The sandbox pool did not become ready: {pool.NotReadyReason}");
                return 2;
            }
            return await ValidateCommand.RunAsync(Resolve(folder), pool, Console.Out);
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await host.StopAsync(stop.Token);
            }
            catch (Exception e)
            {
                // The verdict on the problems is already printed; an untidy pool shutdown must not replace its exit code.
                await Console.Error.WriteLineAsync($"warning: the sandbox pool did not stop cleanly: {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
