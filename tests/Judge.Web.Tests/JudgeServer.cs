using Judge.Testing;

namespace Judge.Web.Tests;

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<JudgeServer>
{
    public const string Name = "web";
}

/// <summary>
/// The real Judge.Api.dll (real sandbox pool, SQLite) as a child process on a loopback port, serving a small problems
/// folder: a few problems copied from the bank plus the ones in TestProblems/. One per test run; every test class
/// shares it (each test gets a fresh browser context, so localStorage starts empty).
/// </summary>
public sealed class JudgeServer : IAsyncLifetime
{
    /// <summary>Real problems from the bank, by path under problems/.</summary>
    public static readonly string[] BankProblems =
    [
        "decorators/decorator-count-calls.yaml",
        "generators/generator-chunked.yaml",
        "args-kwargs/args-format-call.yaml",
        "args-kwargs/kwargs-build-request.yaml",
    ];

    /// <summary>When set, ScreenshotTests write into this folder and the server serves the whole bank, as users see it.</summary>
    public const string ScreenshotsVariable = "JUDGE_SCREENSHOTS_DIR";

    readonly string _root = Path.Combine(Path.GetTempPath(), "judge-web-tests", Guid.NewGuid().ToString("N"));
    JudgeProcess? _process;

    public string Url { get; private set; } = "";
    public int ProblemCount { get; private set; }

    public async Task InitializeAsync()
    {
        var problems = Path.Combine(_root, "problems");
        var repository = JudgeProcess.RepositoryRoot();
        var bank = Path.Combine(repository, "problems");
        var own = Path.Combine(AppContext.BaseDirectory, "TestProblems");
        if (Environment.GetEnvironmentVariable(ScreenshotsVariable) is { Length: > 0 })
            problems = bank;
        else
        {
            foreach (var path in BankProblems) Copy(Path.Combine(bank, path), Path.Combine(problems, path));
            foreach (var file in Directory.EnumerateFiles(own, "*.yaml", SearchOption.AllDirectories))
                Copy(file, Path.Combine(problems, Path.GetRelativePath(own, file)));
        }
        ProblemCount = Directory.EnumerateFiles(problems, "*.yaml", SearchOption.AllDirectories).Count();

        _process = new JudgeProcess(JudgeProcess.BuiltDll(), new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = Path.Combine(_root, "data"),
            ["Problems__Directory"] = problems,
            ["Sandbox__Hosts"] = "1",
            ["Queue__Workers"] = "2",
            ["RateLimit__SubmitPermitLimit"] = "10000",
            ["RateLimit__ReadPermitLimit"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        Url = _process.BaseAddress.ToString().TrimEnd('/');
        await _process.StartAsync(TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        // Kills it with its process tree; throws if it does not exit (the API process must not outlive the tests).
        if (_process is not null) await _process.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }
}
