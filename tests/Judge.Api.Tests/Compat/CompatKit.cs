using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Judge.Api.Compat;
using Judge.Sandbox;

namespace Judge.Api.Tests.Compat;

/// <summary>
/// A scripted sandbox for the compatibility surfaces: answers the Python-version probe with <see cref="Version"/> (a
/// patch level no machine here has, so a test that sees it knows the name came from the probe) and every other run
/// with the test's script, recording those runs.
/// </summary>
public sealed class PythonFake(Func<RunRequest, RunResult> script) : ISandbox
{
    public const string Version = "3.11.97";

    public ConcurrentQueue<RunRequest> Runs { get; } = new();

    /// <summary>While set, runs wait for it (the queue fills up behind them).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Code == PythonRuntime.ProbeCode) return new RunResult { Status = RunStatus.Ok, Stdout = Version + "\n" };
        Runs.Enqueue(request);
        if (Gate is { } gate) await gate.Task.WaitAsync(cancellationToken);
        await Task.Yield();
        return script(request);
    }

    /// <summary>Prints "hello, " + the first line of stdin, like the C program in Judge0's documentation.</summary>
    public static PythonFake Hello() => new(r => Ok("hello, " + (r.Stdin ?? "").Split('\n')[0] + "\n"));

    public static RunResult Ok(string stdout, string stderr = "") =>
        new() { Status = RunStatus.Ok, Stdout = stdout, Stderr = stderr, CpuMs = 12, WallMs = 34, MemoryKb = 380, ExitCode = 0 };
}

internal static class CompatHttp
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(object value) => Json(JsonSerializer.Serialize(value));

    public static async Task<JsonElement> Body(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json", text);
        return JsonDocument.Parse(text).RootElement;
    }

    public static IEnumerable<string> Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name);
}
