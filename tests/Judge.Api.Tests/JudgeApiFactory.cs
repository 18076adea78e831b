using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Judge.Sandbox;
using Judge.Sandbox.Pool;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Judge.Api.Tests;

/// <summary>
/// The API in memory, with its own data directory and problems folder (one easy problem, "add-two").
/// With a fake sandbox the real pool is not started; without one, the app's normal registration (real pool and grader) is used.
/// </summary>
public sealed class JudgeApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "admin-key-for-tests", ClientKey = "client-key-for-tests", OtherClientKey = "other-client-key";

    readonly Dictionary<string, string?> _settings;
    readonly ISandbox? _fakeSandbox;

    public string DataDirectory { get; }
    public string ProblemsDirectory { get; }

    public JudgeApiFactory(IDictionary<string, string?>? overrides = null, ISandbox? fakeSandbox = null)
    {
        _fakeSandbox = fakeSandbox;
        var root = Path.Combine(Path.GetTempPath(), "judge-api-tests", Guid.NewGuid().ToString("N"));
        DataDirectory = Path.Combine(root, "data");
        ProblemsDirectory = Path.Combine(root, "problems");
        Directory.CreateDirectory(Path.Combine(ProblemsDirectory, "basics"));
        File.WriteAllText(Path.Combine(ProblemsDirectory, "basics", "add-two.yaml"), TestProblems.AddTwoYaml);
        _settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = DataDirectory,
            ["Problems:Directory"] = ProblemsDirectory,
            ["Auth:AdminKeys:0"] = AdminKey,
            ["Auth:ClientKeys:0"] = ClientKey,
            ["Auth:ClientKeys:1"] = OtherClientKey,
            ["RateLimit:SubmitPermitLimit"] = "10000",
            ["RateLimit:ReadPermitLimit"] = "10000",
            ["Sandbox:Hosts"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_fakeSandbox is null) return;
        builder.ConfigureServices(services =>
        {
            // Keep SandboxPool resolvable (health, metrics) but never started; runs go to the fake.
            var poolHostedService = services.Where(d => d.ServiceType == typeof(IHostedService) &&
                d.ImplementationFactory?.Method.DeclaringType?.Assembly == typeof(SandboxPool).Assembly).ToList();
            foreach (var d in poolHostedService) services.Remove(d);
            services.RemoveAll<ISandbox>();
            services.AddSingleton(_fakeSandbox);
            services.RemoveAll<ISandboxStatus>();
            services.AddSingleton<ISandboxStatus>(new AlwaysReady());
        });
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.Timeout = TimeSpan.FromSeconds(60);
    }

    public HttpClient ClientWith(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> Submit(HttpClient client, string problemId, string code, string query = "") =>
        client.PostAsJsonAsync("/v1/submissions" + query, new { problemId, code });

    /// <summary>Waits until the real sandbox pool reports ready.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        var client = CreateClient();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        HttpResponseMessage response;
        do
        {
            response = await client.GetAsync("/healthz");
            if (response.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException("sandbox not ready: " + await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonElement> PollUntilCompletedAsync(HttpClient client, string location, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var body = await client.GetFromJsonAsync<JsonElement>(location);
            if (body.GetProperty("status").GetString() == "completed") return body;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{location} still {body.GetProperty("status")}");
            await Task.Delay(100);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(Path.GetDirectoryName(DataDirectory)!, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The status of a fake sandbox: ready from the start, with the default pool's slots.</summary>
public sealed class AlwaysReady : ISandboxStatus
{
    public Task Ready => Task.CompletedTask;
    public bool IsReady => true;
    public string? NotReadyReason => null;
    public int SlotCount => 8;
}

/// <summary>A scripted ISandbox for tests of pure HTTP behaviour.</summary>
public sealed class FakeSandbox(Func<RunRequest, CancellationToken, Task<RunResult>> run) : ISandbox
{
    public int Runs;

    public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Runs);
        return run(request, cancellationToken);
    }

    public static FakeSandbox Echo() => new((r, _) => Task.FromResult(new RunResult { Status = RunStatus.Ok, Stdout = r.Stdin ?? "", WallMs = 3, CpuMs = 2 }));

    /// <summary>Never finishes a run until the test's cancellation: workers stay busy, so the queue fills.</summary>
    public static FakeSandbox Blocking() => new(async (_, ct) =>
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new OperationCanceledException();
    });
}

public static class TestProblems
{
    public const string AddTwoYaml = """
        id: add-two
        title: Add two numbers
        topic: basics
        difficulty: easy
        tags: [arithmetic]
        statement: |
          Write `add(a, b)` that returns the sum of two integers. Example: `add(1, 2) == 3`.
        takeaway: A function returns its value; printing is not returning.
        starter: |
          def add(a, b):
              return 0
        solution: |
          def add(a, b):
              return a + b
        mutants:
          - name: subtracts
            code: |
              def add(a, b):
                  return a - b
        tests:
          - name: small numbers
            expr: add(1, 2)
            expect: 3
          - name: negatives
            expr: add(-1, -5)
            expect: -6
          - name: big secret
            expr: add(40, 2)
            expect: 42
            hidden: true
            concept: hidden check
        """;

    public const string AddTwoSolution = "def add(a, b):\n    return a + b\n";
    public const string AddTwoWrong = "def add(a, b):\n    return a * b\n";

    public const string Marker = "ZQXMARK";

    /// <summary>A problem whose hidden test carries <see cref="Marker"/> in its setup, expr and expect.</summary>
    public static string SecretProblemJson(string id, string solution = "def twice(s):\n    return s + s\n") => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["id"] = id,
        ["title"] = "Twice",
        ["topic"] = "strings",
        ["difficulty"] = "easy",
        ["tags"] = new[] { "strings" },
        ["statement"] = "Write `twice(s)` returning `s` repeated twice. Example: `twice('ab') == 'abab'`.",
        ["takeaway"] = "String concatenation.",
        ["starter"] = "def twice(s):\n    return s\n",
        ["solution"] = solution,
        ["mutants"] = new[] { new Dictionary<string, string> { ["name"] = "three times", ["code"] = "def twice(s):\n    return s * 3\n" } },
        ["tests"] = new object[]
        {
            new Dictionary<string, object> { ["name"] = "visible", ["expr"] = "twice('ab')", ["expect"] = "abab" },
            new Dictionary<string, object>
            {
                ["name"] = "secret", ["hidden"] = true, ["concept"] = "longer text",
                ["setup"] = $"_unused = '{Marker}-setup'", ["expr"] = $"twice('{Marker}-expr')", ["expect"] = $"{Marker}-expr{Marker}-expr",
            },
        },
    });
}
