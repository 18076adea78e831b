using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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
    Process? _process;

    public string Url { get; private set; } = "";
    public int ProblemCount { get; private set; }

    public async Task InitializeAsync()
    {
        var problems = Path.Combine(_root, "problems");
        var repository = RepositoryRoot();
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

        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        var dll = Path.Combine(repository, "src", "Judge.Api", "bin", Configuration(), "net10.0", "Judge.Api.dll");
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", Url])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Storage__DataDirectory"] = Path.Combine(_root, "data");
        info.Environment["Problems__Directory"] = problems;
        info.Environment["Sandbox__Hosts"] = "1";
        info.Environment["Queue__Workers"] = "2";
        info.Environment["RateLimit__SubmitPermitLimit"] = "10000";
        info.Environment["RateLimit__ReadPermitLimit"] = "100000";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitReadyAsync();
    }

    async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"Judge.Api exited with code {_process.ExitCode} before it was ready");
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("Judge.Api did not become ready within 120 s");
    }

    public Task DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000).Should().BeTrue("the API process must not outlive the tests");
            process.Dispose();
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Judge.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Judge.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The configuration this test assembly was built in (bin/&lt;Configuration&gt;/net10.0/).</summary>
    static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
