using System.Diagnostics;
using Judge.Testing;

namespace Judge.Api.Tests;

/// <summary><c>Judge.Api validate &lt;folder&gt;</c> runs the validator with a real pool and no web server.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "judge-api-validate", Guid.NewGuid().ToString("N"));

    [Fact(Timeout = 180_000)]
    public async Task Validate_exits_0_for_a_valid_folder_and_non_zero_when_a_mutant_survives()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "basics"));
        File.WriteAllText(Path.Combine(_folder, "basics", "add-two.yaml"), TestProblems.AddTwoYaml);
        var (code, output) = await RunAsync();
        code.Should().Be(0, output);
        output.Should().Contain("add-two");
        output.Should().NotContain("Now listening");

        // A mutant that is in fact correct is never rejected: the problem is invalid.
        File.WriteAllText(Path.Combine(_folder, "basics", "add-two.yaml"),
            TestProblems.AddTwoYaml.Replace("return a - b", "return b + a"));
        (code, output) = await RunAsync();
        code.Should().NotBe(0, output);
    }

    async Task<(int Code, string Output)> RunAsync()
    {
        var dll = JudgeProcess.BuiltDll();
        var info = new ProcessStartInfo("dotnet", [dll, "validate", _folder])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Sandbox__Hosts"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            process.HasExited.Should().BeTrue("the validate process must not outlive the test");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
