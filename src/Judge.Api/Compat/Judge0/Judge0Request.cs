using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Judge.Api.Compat.Judge0;

/// <summary>
/// A submission's attributes read as Judge0 (Rails) reads them: scalars only (an object or array counts as absent),
/// numbers and numeric strings alike, absent or null values replaced by the configured defaults, then Judge0's
/// validations in its order and words (<c>{"attribute": ["message", ...]}</c>).
/// </summary>
public static partial class Judge0Request
{
    public sealed record Result(Judge0Submission? Submission, OrderedDictionary<string, List<string>> Errors);

    /// <summary>Limits Judge adds (Judge0 has none): the sizes Judge accepts for code and stdin.</summary>
    public sealed record SizeLimits(int MaxCodeBytes, int MaxStdinBytes);

    public static Result Parse(JsonObject body, bool base64, SizeLimits sizes, DateTimeOffset now)
    {
        var errors = new OrderedDictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        byte[]? Bytes(string name) => Str(body, name) is { } text ? base64 ? Judge0Json.Decode64(text) : Encoding.UTF8.GetBytes(text) : null;

        var sourceCode = Bytes("source_code");
        var stdin = Bytes("stdin");
        var expectedOutput = Bytes("expected_output");
        var languageId = Int(body["language_id"]);
        var compilerOptions = Str(body, "compiler_options");
        var commandLineArguments = Str(body, "command_line_arguments");
        var callbackUrl = Str(body, "callback_url");
        var additionalFiles = Str(body, "additional_files") is { } files ? Judge0Json.Decode64(files) : null;

        if (sourceCode is null || IsBlank(sourceCode)) Add("source_code", "can't be blank");
        if (languageId is null) Add("language_id", "can't be blank");
        var numberOfRuns = Number(body, "number_of_runs", Judge0Config.NumberOfRuns, Add, greaterThan: 0, max: Judge0Config.MaxNumberOfRuns);
        var cpuTimeLimit = Number(body, "cpu_time_limit", Judge0Config.CpuTimeLimit, min: 0, max: Judge0Config.MaxCpuTimeLimit, add: Add, floatMax: true);
        var cpuExtraTime = Number(body, "cpu_extra_time", Judge0Config.CpuExtraTime, min: 0, max: Judge0Config.MaxCpuExtraTime, add: Add, floatMax: true);
        var wallTimeLimit = Number(body, "wall_time_limit", Judge0Config.WallTimeLimit, min: 1, max: Judge0Config.MaxWallTimeLimit, add: Add, floatMax: true);
        var memoryLimit = Number(body, "memory_limit", Judge0Config.MemoryLimit, min: Judge0Config.MinMemoryLimit, max: Judge0Config.MaxMemoryLimit, add: Add);
        var stackLimit = Number(body, "stack_limit", Judge0Config.StackLimit, min: 0, max: Judge0Config.MaxStackLimit, add: Add);
        var maxProcesses = Number(body, "max_processes_and_or_threads", Judge0Config.MaxProcessesAndOrThreads, greaterThan: 0,
            max: Judge0Config.MaxMaxProcessesAndOrThreads, add: Add);
        var perProcessTime = Bool(body["enable_per_process_and_thread_time_limit"]) ?? false;
        if (perProcessTime) Add("enable_per_process_and_thread_time_limit", "this option cannot be enabled");
        var perProcessMemory = Bool(body["enable_per_process_and_thread_memory_limit"]) ?? false;
        if (perProcessMemory) Add("enable_per_process_and_thread_memory_limit", "this option cannot be enabled");
        var maxFileSize = Number(body, "max_file_size", Judge0Config.MaxFileSize, min: 0, max: Judge0Config.MaxMaxFileSize, add: Add);
        if (compilerOptions?.Length > Judge0Config.MaxFieldLength)
            Add("compiler_options", $"is too long (maximum is {Judge0Config.MaxFieldLength} characters)");
        if (commandLineArguments?.Length > Judge0Config.MaxFieldLength)
            Add("command_line_arguments", $"is too long (maximum is {Judge0Config.MaxFieldLength} characters)");

        var languageExists = languageId is { } id && Judge0Languages.Exists(id);
        if (!languageExists) Add("language_id", $"language with id {languageId?.ToString(CultureInfo.InvariantCulture)} doesn't exist");
        if (!string.IsNullOrWhiteSpace(compilerOptions) && languageExists)
            Add("compiler_options", "setting compiler options is only allowed for compiled languages"); // Python is not compiled
        // Callbacks go out through Judge's webhook sender; Judge refuses what it could never deliver to.
        if (!string.IsNullOrWhiteSpace(callbackUrl) && !Webhooks.WebhookTargets.IsAcceptable(callbackUrl)) Add("callback_url", "must be an http or https URL");
        if (additionalFiles is not null && !IsBlank(additionalFiles)) Add("additional_files", "setting additional files is not allowed");
        if (Bool(body["enable_network"]) == true) Add("enable_network", "enabling network is not allowed");
        if (sourceCode?.Length > sizes.MaxCodeBytes) Add("source_code", $"is too long (maximum is {sizes.MaxCodeBytes} bytes)");
        if (stdin?.Length > sizes.MaxStdinBytes) Add("stdin", $"is too long (maximum is {sizes.MaxStdinBytes} bytes)");
        if (expectedOutput?.Length > sizes.MaxStdinBytes) Add("expected_output", $"is too long (maximum is {sizes.MaxStdinBytes} bytes)");
        if (errors.Count > 0) return new Result(null, errors);

        return new Result(new Judge0Submission
        {
            Token = Guid.NewGuid(),
            SourceCode = sourceCode,
            LanguageId = (int)languageId!.Value,
            Stdin = stdin,
            ExpectedOutput = expectedOutput,
            CreatedAt = now,
            NumberOfRuns = (int)numberOfRuns,
            CpuTimeLimit = cpuTimeLimit,
            CpuExtraTime = cpuExtraTime,
            WallTimeLimit = wallTimeLimit,
            MemoryLimit = (int)memoryLimit,
            StackLimit = (int)stackLimit,
            MaxProcessesAndOrThreads = (int)maxProcesses,
            EnablePerProcessAndThreadTimeLimit = perProcessTime,
            EnablePerProcessAndThreadMemoryLimit = perProcessMemory,
            MaxFileSize = (int)maxFileSize,
            CompilerOptions = compilerOptions,
            CommandLineArguments = commandLineArguments,
            RedirectStderrToStdout = Bool(body["redirect_stderr_to_stdout"]) ?? false,
            CallbackUrl = string.IsNullOrEmpty(callbackUrl) ? null : callbackUrl,
            EnableNetwork = false,
        }, errors);
    }

    /// <summary>A scalar as text; objects and arrays are not permitted parameters, so they count as absent.</summary>
    static string? Str(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValueKind() == JsonValueKind.True ? "true" : "false",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    /// <summary>An integer attribute as Rails casts it: numbers truncated, strings by their leading digits ("" is absent).</summary>
    static long? Int(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => (long)Math.Truncate(Math.Clamp(v.GetValue<double>(), long.MinValue, long.MaxValue)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } s
            ? LeadingInteger().Match(s) is { Success: true } m && long.TryParse(m.Value.Replace("_", ""), CultureInfo.InvariantCulture, out var n) ? n : 0
            : null,
        JsonValue v when v.GetValueKind() == JsonValueKind.True => 1,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => 0,
        _ => null,
    };

    /// <summary>A boolean attribute as Rails casts it: "", null → absent; false, 0, "0", "f", "false", "off" (any case
    /// of those) → false; anything else → true.</summary>
    static bool? Bool(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>() != 0,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() switch
        {
            "" => null,
            "0" or "f" or "F" or "false" or "FALSE" or "off" or "OFF" => false,
            _ => true,
        },
        _ => null,
    };

    /// <summary>A numeric attribute: absent → the default; otherwise it must be a number (or numeric text) within the
    /// bounds, with Rails' messages. Returns the value to store.</summary>
    static decimal Number(JsonObject body, string name, decimal @default, Action<string, string> add,
        decimal? min = null, decimal? greaterThan = null, decimal? max = null, bool floatMax = false)
    {
        var node = body[name];
        if (node is null || node is JsonObject or JsonArray) return @default;
        var kind = node.GetValueKind();
        if (kind == JsonValueKind.String && node.GetValue<string>().Length == 0) return @default;
        double? number = kind switch
        {
            JsonValueKind.Number => node.GetValue<double>(),
            JsonValueKind.String => double.TryParse(node.GetValue<string>().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
            _ => null,
        };
        if (number is not { } value || double.IsNaN(value) || double.IsInfinity(value))
        {
            add(name, "is not a number");
            return @default;
        }
        if (greaterThan is { } gt && value <= (double)gt) add(name, $"must be greater than {Format(gt)}");
        if (min is { } lo && value < (double)lo) add(name, $"must be greater than or equal to {Format(lo)}");
        if (max is { } hi && value > (double)hi) add(name, $"must be less than or equal to {(floatMax ? FormatFloat(hi) : Format(hi))}");
        return (decimal)Math.Clamp(value, -1e15, 1e15);
    }

    static string Format(decimal bound) => bound.ToString(CultureInfo.InvariantCulture);

    // Judge0's maxima of the time limits are floats, which its messages write as "10.0".
    static string FormatFloat(decimal bound) => bound.ToString("0.0###", CultureInfo.InvariantCulture);

    static bool IsBlank(byte[] bytes) => bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r');

    [GeneratedRegex(@"^\s*[+-]?\d[\d_]*")]
    private static partial Regex LeadingInteger();
}
