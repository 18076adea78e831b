using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Judge.Api.Tests.Compat.CompatHttp;

namespace Judge.Api.Tests.Compat;

/// <summary>Both compatibility surfaces through the real sandbox pool, and the npm piston-client under Node against a
/// Kestrel-bound Judge.</summary>
public sealed class CompatRealSandboxTests(ITestOutputHelper output)
{
    static async Task<JudgeApiFactory> ReadyApi()
    {
        var api = new JudgeApiFactory();
        await api.WaitUntilReadyAsync();
        return api;
    }

    [Fact(Timeout = 180_000)]
    public async Task Judge0_runs_real_python_with_stdin_and_argv_names_the_real_version_and_reports_exceptions()
    {
        await using var api = await ReadyApi();
        var client = api.CreateClient();
        var languages = await Body(await client.GetAsync("/judge0/languages"), HttpStatusCode.OK);
        languages.EnumerateArray().Should().OnlyContain(l => System.Text.RegularExpressions.Regex.IsMatch(
            l.GetProperty("name").GetString()!, @"^Python \(3\.11\.\d+\)$"));

        var ok = await Body(await client.PostAsync("/judge0/submissions?wait=true", Json(new
        {
            source_code = "import sys\nprint(input(), sys.argv[1:])\n", language_id = 71, stdin = "judge",
            command_line_arguments = "a 'b c'", expected_output = "judge ['a', 'b c']",
        })), HttpStatusCode.Created);
        ok.GetProperty("stdout").GetString().Should().Be("judge ['a', 'b c']\n");
        ok.GetProperty("status").GetProperty("id").GetInt32().Should().Be(3, ok.ToString());
        decimal.Parse(ok.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture).Should().BeLessThan(5);

        var failed = await Body(await client.PostAsync("/judge0/submissions?wait=true&fields=*", Json(new
        {
            source_code = "print('before')\n1/0\n", language_id = 113,
        })), HttpStatusCode.Created);
        failed.GetProperty("status").GetProperty("id").GetInt32().Should().Be(11, failed.ToString());
        failed.GetProperty("exit_code").GetInt32().Should().Be(1);
        failed.GetProperty("stdout").GetString().Should().Be("before\n");
        failed.GetProperty("stderr").GetString().Should().Contain("line 2").And.EndWith("ZeroDivisionError: division by zero\n");
    }

    [Fact(Timeout = 180_000)]
    public async Task Judge0_queues_without_wait_and_returns_bytes_that_are_not_UTF8_as_base64()
    {
        await using var api = await ReadyApi();
        var client = api.CreateClient();
        var created = await Body(await client.PostAsync("/judge0/submissions", Json(new
        {
            source_code = "import sys\nsys.stdout.flush()\nsys.stdout.buffer.write(b'\\xfe\\n')\n", language_id = 71,
        })), HttpStatusCode.Created);
        var token = created.GetProperty("token").GetString();
        JsonElement done;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(50);
            done = await Body(await client.GetAsync($"/judge0/submissions/{token}?base64_encoded=true"), HttpStatusCode.OK);
        } while (done.GetProperty("status").GetProperty("id").GetInt32() <= 2 && DateTime.UtcNow < deadline);
        done.GetProperty("status").GetProperty("id").GetInt32().Should().Be(3, done.ToString());
        done.GetProperty("stdout").GetString().Should().Be("/go=\n");
        (await client.GetAsync($"/judge0/submissions/{token}")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory(Timeout = 180_000)]
    [InlineData("import sys\nsys.exit(3)\n", "RE", 3, null)]
    [InlineData("import ctypes\nctypes.string_at(0)\n", "SG", null, "SIGSEGV")]
    [InlineData("while True:\n    pass\n", "TO", null, "SIGKILL")]
    public async Task Piston_reports_exit_codes_signals_and_timeouts_of_real_runs(string code, string status, int? exitCode, string? signal)
    {
        await using var api = await ReadyApi();
        var body = await Body(await api.CreateClient().PostAsync("/piston/api/v2/execute", Json(new
        {
            language = "python", version = "3.x", files = new[] { new { content = code } }, run_cpu_time = 300,
        })), HttpStatusCode.OK);
        var run = body.GetProperty("run");
        run.GetProperty("status").GetString().Should().Be(status, body.ToString());
        if (exitCode is null) run.GetProperty("code").ValueKind.Should().Be(JsonValueKind.Null);
        else run.GetProperty("code").GetInt32().Should().Be(exitCode);
        if (signal is null) run.GetProperty("signal").ValueKind.Should().Be(JsonValueKind.Null);
        else run.GetProperty("signal").GetString().Should().Be(signal);
    }

    [SkippableFact(Timeout = 300_000)]
    public async Task The_npm_piston_client_runs_python_against_a_live_Judge()
    {
        var node = FindOnPath("node");
        Skip.If(node is null, "node is not on PATH: the npm piston-client test did not run");
        var npm = FindOnPath("npm") ?? throw new InvalidOperationException("node is installed but npm is not");
        var folder = Path.Combine(Path.GetTempPath(), "judge-tests-piston-client");
        Directory.CreateDirectory(folder);
        if (!File.Exists(Path.Combine(folder, "node_modules", "piston-client", "package.json")))
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "package.json"), """{"name": "judge-piston-client-test", "private": true}""");
            var install = await RunAsync(npm, ["install", "--no-audit", "--no-fund", "piston-client@1.0.2"], folder, TimeSpan.FromMinutes(3));
            install.ExitCode.Should().Be(0, install.Output);
        }
        var script = Path.Combine(folder, "run.mjs");
        await File.WriteAllTextAsync(script, """
            import piston from "piston-client";
            const client = piston({ server: process.argv[2] });
            const runtimes = await client.runtimes();
            const result = await client.execute("python", "import sys\nprint(input(), sys.argv[1:])", { stdin: "node" });
            const failed = await client.execute("python", "raise SystemExit(4)");
            console.log(JSON.stringify({ runtimes, result, failed }));
            """);

        await using var api = new JudgeApiFactory();
        api.UseKestrel(0);
        api.StartServer();
        await api.WaitUntilReadyAsync();
        var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1");
        var run = await RunAsync(node!, [script, address + "/piston"], folder, TimeSpan.FromMinutes(1));
        output.WriteLine(run.Output);
        run.ExitCode.Should().Be(0, run.Output);

        var json = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]).RootElement;
        json.GetProperty("runtimes")[0].GetProperty("language").GetString().Should().Be("python");
        var result = json.GetProperty("result");
        result.GetProperty("language").GetString().Should().Be("python");
        result.GetProperty("version").GetString().Should().Be(json.GetProperty("runtimes")[0].GetProperty("version").GetString());
        result.GetProperty("run").GetProperty("stdout").GetString().Should().Be("node ['1', '2', '3']\n", "the client sends args 1 2 3 by default");
        result.GetProperty("run").GetProperty("code").GetInt32().Should().Be(0);
        json.GetProperty("failed").GetProperty("run").GetProperty("code").GetInt32().Should().Be(4);
        json.GetProperty("failed").GetProperty("run").GetProperty("status").GetString().Should().Be("RE");
    }

    static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, string directory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.HasExited.Should().BeTrue();
        return (process.ExitCode, await stdout + await stderr);
    }
}
