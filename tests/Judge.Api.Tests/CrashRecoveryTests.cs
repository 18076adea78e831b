using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Judge.Testing;

namespace Judge.Api.Tests;

/// <summary>A real API process is killed with SIGKILL while submissions wait; after a restart on the same data every one completes.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "judge-api-crash", Guid.NewGuid().ToString("N"));

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
        await using var api = new JudgeProcess(JudgeProcess.BuiltDll(), new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = Path.Combine(_root, "data"),
            ["Problems__Directory"] = Path.Combine(_root, "problems"),
            ["Worker__Concurrency"] = "1",
            ["Sandbox__Hosts"] = "1",
        });
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        await api.StartAsync(TimeSpan.FromSeconds(90));
        var locations = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var response = await http.PostAsJsonAsync("/v1/submissions", new { problemId = "slow-echo", code = SlowSolution + $"# {i}\n" });
            response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            locations.Add(response.Headers.Location!.ToString());
        }
        var before = await Task.WhenAll(locations.Select(l => http.GetFromJsonAsync<JsonElement>(l)));
        before.Count(s => s.GetProperty("status").GetString() != "completed").Should().BeGreaterThanOrEqualTo(3);

        await api.KillAsync(); // SIGKILL: no graceful shutdown
        api.HasExited.Should().BeTrue();

        await api.StartAsync(TimeSpan.FromSeconds(90));
        foreach (var location in locations)
        {
            var result = await JudgeApiFactory.PollUntilCompletedAsync(http, location, TimeSpan.FromSeconds(120));
            result.GetProperty("verdict").GetString().Should().Be("accepted", result.ToString());
            result.GetProperty("passed").GetInt32().Should().Be(3);
        }
        // Disposal kills it with its process tree and fails the test if it does not exit.
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
