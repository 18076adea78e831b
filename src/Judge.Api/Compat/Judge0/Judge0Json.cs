using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Judge.Api.Compat.Judge0;

/// <summary>
/// Judge0 1.13.1's wire forms: the submission's attributes in its serializer's order, the <c>fields</c> parameter, its
/// base64 (MIME style: a line break every 60 characters and one at the end; decoding skips anything outside the
/// alphabet), decimals as strings ("5.0", "0.012") and times with milliseconds in UTC.
/// </summary>
public static class Judge0Json
{
    /// <summary>Every attribute, in the order Judge0 writes them.</summary>
    public static readonly IReadOnlyList<string> AllFields =
    [
        "source_code", "language_id", "stdin", "expected_output", "stdout", "status_id", "created_at", "finished_at", "time",
        "memory", "stderr", "token", "number_of_runs", "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit",
        "stack_limit", "max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
        "enable_per_process_and_thread_memory_limit", "max_file_size", "compile_output", "exit_code", "exit_signal", "message",
        "wall_time", "compiler_options", "command_line_arguments", "redirect_stderr_to_stdout", "callback_url", "additional_files",
        "enable_network", "status", "language",
    ];

    public static readonly IReadOnlyList<string> DefaultFields =
        ["token", "time", "memory", "stdout", "stderr", "compile_output", "message", "status"];

    static readonly HashSet<string> TextFields = ["source_code", "stdin", "expected_output", "stdout", "stderr", "compile_output"];

    public const string ConversionError =
        "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter";

    public const string BatchConversionError =
        "some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter";

    /// <summary>The requested fields (comma-separated, "*" for all, absent for the default eight), or the invalid ones.</summary>
    public static (IReadOnlySet<string> Fields, IReadOnlyList<string> Invalid) ParseFields(string? fields)
    {
        var requested = (fields ?? "").Split(',').ToList();
        while (requested.Count > 0 && requested[^1].Length == 0) requested.RemoveAt(requested.Count - 1); // as Ruby's split
        var invalid = requested.Where(f => f != "*" && !AllFields.Contains(f)).ToList();
        if (requested.Contains("*")) return (AllFields.ToHashSet(), invalid);
        var valid = requested.Where(AllFields.Contains).ToHashSet();
        return (valid.Count > 0 ? valid : DefaultFields.ToHashSet(), invalid);
    }

    /// <summary>The submission as Judge0 writes it; null when a requested text is not UTF-8 and base64 was not asked for.</summary>
    public static JsonObject? Serialize(Judge0Submission s, IReadOnlySet<string> fields, bool base64, string pythonVersion)
    {
        var json = new JsonObject();
        foreach (var field in AllFields)
        {
            if (!fields.Contains(field)) continue;
            if (TextFields.Contains(field))
            {
                var bytes = Text(s, field);
                if (bytes is null) json[field] = null;
                else if (base64) json[field] = Encode64(bytes);
                else if (System.Text.Unicode.Utf8.IsValid(bytes)) json[field] = Encoding.UTF8.GetString(bytes);
                else return null;
                continue;
            }
            json[field] = field switch
            {
                "language_id" => s.LanguageId,
                "status_id" => s.StatusId,
                "created_at" => Time(s.CreatedAt),
                "finished_at" => s.FinishedAt is { } f ? Time(f) : null,
                "time" => Decimal(s.Time),
                "memory" => s.Memory,
                "token" => s.Token.ToString(),
                "number_of_runs" => s.NumberOfRuns,
                "cpu_time_limit" => Decimal(s.CpuTimeLimit),
                "cpu_extra_time" => Decimal(s.CpuExtraTime),
                "wall_time_limit" => Decimal(s.WallTimeLimit),
                "memory_limit" => s.MemoryLimit,
                "stack_limit" => s.StackLimit,
                "max_processes_and_or_threads" => s.MaxProcessesAndOrThreads,
                "enable_per_process_and_thread_time_limit" => s.EnablePerProcessAndThreadTimeLimit,
                "enable_per_process_and_thread_memory_limit" => s.EnablePerProcessAndThreadMemoryLimit,
                "max_file_size" => s.MaxFileSize,
                "exit_code" => s.ExitCode,
                "exit_signal" => s.ExitSignal,
                "message" => s.Message is null ? null : base64 ? Encode64(Encoding.UTF8.GetBytes(s.Message)) : s.Message,
                "wall_time" => Decimal(s.WallTime),
                "compiler_options" => s.CompilerOptions,
                "command_line_arguments" => s.CommandLineArguments,
                "redirect_stderr_to_stdout" => s.RedirectStderrToStdout,
                "callback_url" => s.CallbackUrl,
                "additional_files" => null,
                "enable_network" => s.EnableNetwork,
                "status" => new JsonObject { ["id"] = s.StatusId, ["description"] = Judge0Status.Description(s.StatusId) },
                "language" => new JsonObject { ["id"] = s.LanguageId, ["name"] = Judge0Languages.Name(pythonVersion) },
                _ => null,
            };
        }
        return json;
    }

    static byte[]? Text(Judge0Submission s, string field) => field switch
    {
        "source_code" => s.SourceCode,
        "stdin" => s.Stdin,
        "expected_output" => s.ExpectedOutput,
        "stdout" => s.Stdout,
        "stderr" => s.Stderr,
        _ => s.CompileOutput,
    };

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A decimal as Rails writes one: plain digits, at least one decimal place ("5.0", "0.012").</summary>
    public static string? Decimal(decimal? value) => value?.ToString("0.0###########", CultureInfo.InvariantCulture);

    /// <summary>Base64 with a line break after every 60 characters and at the end (Ruby's Base64.encode64).</summary>
    public static string Encode64(byte[] bytes)
    {
        if (bytes.Length == 0) return "";
        var plain = Convert.ToBase64String(bytes);
        var text = new StringBuilder(plain.Length + plain.Length / 60 + 1);
        for (var i = 0; i < plain.Length; i += 60) text.Append(plain, i, Math.Min(60, plain.Length - i)).Append('\n');
        return text.ToString();
    }

    /// <summary>Lenient base64 (Ruby's Base64.decode64): characters outside the alphabet are skipped, padding ends the
    /// data, and a trailing partial group gives what bytes it holds.</summary>
    public static byte[] Decode64(string text)
    {
        var output = new List<byte>(text.Length * 3 / 4);
        int buffer = 0, bits = 0, inGroup = 0;
        foreach (var c in text)
        {
            int value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' => 62,
                '/' => 63,
                _ => -1,
            };
            if (value < 0)
            {
                if (c == '=' && inGroup >= 2) break;
                continue;
            }
            buffer = (buffer << 6) | value;
            bits += 6;
            inGroup = (inGroup + 1) % 4;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }
        return [.. output];
    }
}
