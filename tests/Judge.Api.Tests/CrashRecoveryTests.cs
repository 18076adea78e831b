using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Judge.Api.Tests;

/// <summary>A real API process is killed with SIGKILL while submissions wait; after a restart on the same data every one completes.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "judge-api-crash", Guid.NewGuid().ToString("N"));
    readonly List<Process> _processes = [];

    const string SlowProblem = """
        id: slow-echo
        title: Slow echo
        topic: slow
        difficulty: easy
        statement: |
          Write `echo(x)` returning `x`. Example: `echo(1) == 1`.
        starter: |
          def echo(x):
              return None
        solution: |
          def echo(x):
              return x
        tests:
          - name: one
            expr: echo(1)
            expect: 1
          - name: two
            expr: echo(2)
            expect: 2
          - name: three
            expr: echo(3)
            expect: 3
        """;

    // Sleeps in every test (wall time, not CPU) so that with one worker the others stay queued.
    const string SlowSolution = "import time\ndef echo(x):\n    time.sleep(0.3)\n    return x\n";

    [Fact(Timeout = 300_000)]
    public async Task Queued_and_running_submissions_complete_after_kill_9_and_restart()
    {
        Directory.CreateDirectory(Path.Combine(_root, "problems", "slow"));
        File.WriteAllText(Path.Combine(_root, "problems", "slow", "slow-echo.yaml"), SlowProblem);
        var port = FreePort();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

        var first = Start(port);
        await WaitReadyAsync(http, first);
        var locations = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var response = await http.PostAsJsonAsync("/v1/submissions", new { problemId = "slow-echo", code = SlowSolution + $"# {i}\n" });
            response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            locations.Add(response.Headers.Location!.ToString());
        }
        var before = await Task.WhenAll(locations.Select(l => http.GetFromJsonAsync<JsonElement>(l)));
        before.Count(s => s.GetProperty("status").GetString() != "completed").Should().BeGreaterThanOrEqualTo(3);

        first.Kill(entireProcessTree: false); // SIGKILL: no graceful shutdown
        first.WaitForExit(10_000).Should().BeTrue();
        first.HasExited.Should().BeTrue();

        var second = Start(port);
        await WaitReadyAsync(http, second);
        foreach (var location in locations)
        {
            var result = await JudgeApiFactory.PollUntilCompletedAsync(http, location, TimeSpan.FromSeconds(120));
            result.GetProperty("verdict").GetString().Should().Be("accepted", result.ToString());
            result.GetProperty("passed").GetInt32().Should().Be(3);
        }

        second.Kill(entireProcessTree: true);
        second.WaitForExit(10_000).Should().BeTrue();
    }

    Process Start(int port)
    {
        var dll = ApiDll();
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Storage__DataDirectory"] = Path.Combine(_root, "data");
        info.Environment["Problems__Directory"] = Path.Combine(_root, "problems");
        info.Environment["Worker__Concurrency"] = "1";
        info.Environment["Sandbox__Hosts"] = "1";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    static async Task WaitReadyAsync(HttpClient http, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            process.HasExited.Should().BeFalse("the API process should keep running");
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("the API did not become ready");
    }

    /// <summary>The Judge.Api.dll built beside this test assembly's configuration (the test project references it).</summary>
    internal static string ApiDll()
    {
        var baseDir = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(baseDir).Parent!.Name; // bin/<Configuration>/net10.0/
        for (var dir = new DirectoryInfo(baseDir); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Judge.sln")))
                return Path.Combine(dir.FullName, "src", "Judge.Api", "bin", configuration, "net10.0", "Judge.Api.dll");
        return Path.Combine(baseDir, "Judge.Api.dll");
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            process.HasExited.Should().BeTrue("no API process may outlive the test");
            process.Dispose();
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
