namespace Judge.Api.Compat.Judge0;

/// <summary>
/// One Judge0 submission: Judge0 1.13.1's attributes (texts as bytes, since base64 input and program output need not be
/// UTF-8; times in seconds; memory in KB) plus the client that sent it. The attributes as given are stored in the
/// submission's Run job (<see cref="Judge0Payload"/>); the outcome attributes are computed from its runs when it is read.
/// </summary>
public sealed class Judge0Submission
{
    public Guid Token { get; set; }
    public string ClientId { get; set; } = "";
    public byte[]? SourceCode { get; set; }
    public int LanguageId { get; set; }
    public byte[]? Stdin { get; set; }
    public byte[]? ExpectedOutput { get; set; }
    public byte[]? Stdout { get; set; }
    public int StatusId { get; set; } = Judge0Status.InQueue;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public decimal? Time { get; set; }
    public int? Memory { get; set; }
    public byte[]? Stderr { get; set; }
    public int NumberOfRuns { get; set; }
    public decimal CpuTimeLimit { get; set; }
    public decimal CpuExtraTime { get; set; }
    public decimal WallTimeLimit { get; set; }
    public int MemoryLimit { get; set; }
    public int StackLimit { get; set; }
    public int MaxProcessesAndOrThreads { get; set; }
    public bool EnablePerProcessAndThreadTimeLimit { get; set; }
    public bool EnablePerProcessAndThreadMemoryLimit { get; set; }
    public int MaxFileSize { get; set; }
    public byte[]? CompileOutput { get; set; }
    public int? ExitCode { get; set; }
    public int? ExitSignal { get; set; }
    public string? Message { get; set; }
    public decimal? WallTime { get; set; }
    public string? CompilerOptions { get; set; }
    public string? CommandLineArguments { get; set; }
    public bool RedirectStderrToStdout { get; set; }
    public string? CallbackUrl { get; set; }
    public bool EnableNetwork { get; set; }

    [System.Text.Json.Serialization.JsonIgnore] public bool IsFinished => StatusId > Judge0Status.Processing;

    public Judge0Submission Clone() => (Judge0Submission)MemberwiseClone();
}

/// <summary>Judge0's fourteen statuses (ids and descriptions are part of its wire contract).</summary>
public static class Judge0Status
{
    public const int InQueue = 1, Processing = 2, Accepted = 3, WrongAnswer = 4, TimeLimitExceeded = 5, CompilationError = 6,
        Sigsegv = 7, Sigxfsz = 8, Sigfpe = 9, Sigabrt = 10, Nzec = 11, Other = 12, InternalError = 13, ExecFormatError = 14;

    public static readonly IReadOnlyList<(int Id, string Description)> All =
    [
        (1, "In Queue"), (2, "Processing"), (3, "Accepted"), (4, "Wrong Answer"), (5, "Time Limit Exceeded"),
        (6, "Compilation Error"), (7, "Runtime Error (SIGSEGV)"), (8, "Runtime Error (SIGXFSZ)"), (9, "Runtime Error (SIGFPE)"),
        (10, "Runtime Error (SIGABRT)"), (11, "Runtime Error (NZEC)"), (12, "Runtime Error (Other)"), (13, "Internal Error"),
        (14, "Exec Format Error"),
    ];

    public static string Description(int id) => id is >= 1 and <= 14 ? All[id - 1].Description : "Unknown";

    /// <summary>The runtime error a fatal signal stands for (Judge0 names four; the rest are "Other").</summary>
    public static int ForSignal(int signal) => signal switch
    {
        11 => Sigsegv, 25 => Sigxfsz, 8 => Sigfpe, 6 => Sigabrt, _ => Other,
    };
}

/// <summary>The Python 3 "languages" Judge answers for: the ids Judge0 CE releases gave Python 3 (71 in 1.13.x; 92, 100,
/// 109 and 113 in later ones), all running the embedded CPython and named with its real version.</summary>
public static class Judge0Languages
{
    public static readonly IReadOnlyList<int> PythonIds = [71, 92, 100, 109, 113];

    public const string SourceFile = "script.py";
    public const string RunCommand = "python3 script.py";

    public static bool Exists(long id) => id is >= int.MinValue and <= int.MaxValue && PythonIds.Contains((int)id);

    public static string Name(string version) => $"Python ({version})";
}
