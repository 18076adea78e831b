using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Judge.Sandbox;

namespace Judge.Api.Compat.Judge0;

/// <summary>Configuration section "Judge0". The queue (Judge0's MAX_QUEUE_SIZE), the workers and the callbacks are
/// Judge's own: Queue:Capacity, Queue:MaxPendingRequestsPerClient, the worker nodes, Webhooks.</summary>
public sealed class Judge0Options
{
    /// <summary>Largest batch (Judge0's MAX_SUBMISSION_BATCH_SIZE). A batch also counts against
    /// Queue:MaxPendingRequestsPerClient: a client that sends full batches needs that at least this large.</summary>
    [Range(1, 1000)] public int MaxSubmissionBatchSize { get; set; } = 20;
}

/// <summary>
/// Judge0's configuration variables as Judge honours them: Judge0 1.13.1's defaults, with the maxima Judge can run
/// (CPU time at most 10 s), and the options Judge cannot give refused (network, additional files, per-process limits).
/// </summary>
public static class Judge0Config
{
    public const string Version = "1.13.1";

    public const decimal CpuTimeLimit = 5, MaxCpuTimeLimit = ResourceLimits.MaxTimeMs / 1000m;
    public const decimal CpuExtraTime = 1, MaxCpuExtraTime = 5;
    public const decimal WallTimeLimit = 10, MaxWallTimeLimit = 20;
    public const int MemoryLimit = 128_000, MinMemoryLimit = 2048, MaxMemoryLimit = 512_000;
    public const int StackLimit = 64_000, MaxStackLimit = 128_000;
    public const int MaxProcessesAndOrThreads = 60, MaxMaxProcessesAndOrThreads = 120;
    public const int MaxFileSize = 1024, MaxMaxFileSize = 4096;
    public const int NumberOfRuns = 1, MaxNumberOfRuns = 20;
    public const int MaxFieldLength = 512;
    public static JsonObject Info(Judge0Options options, int maxQueueSize, Webhooks.WebhookOptions webhooks) => new()
    {
        ["maintenance_mode"] = false,
        ["enable_wait_result"] = true,
        ["enable_compiler_options"] = true,
        ["allowed_languages_for_compile_options"] = new JsonArray(),
        ["enable_command_line_arguments"] = true,
        ["enable_submission_delete"] = false,
        ["enable_callbacks"] = true,
        ["callbacks_max_tries"] = webhooks.MaxAttempts,
        ["callbacks_timeout"] = (double)webhooks.TimeoutSeconds,
        ["enable_additional_files"] = false,
        ["max_queue_size"] = maxQueueSize,
        ["cpu_time_limit"] = (double)CpuTimeLimit,
        ["max_cpu_time_limit"] = (double)MaxCpuTimeLimit,
        ["cpu_extra_time"] = (double)CpuExtraTime,
        ["max_cpu_extra_time"] = (double)MaxCpuExtraTime,
        ["wall_time_limit"] = (double)WallTimeLimit,
        ["max_wall_time_limit"] = (double)MaxWallTimeLimit,
        ["memory_limit"] = MemoryLimit,
        ["max_memory_limit"] = MaxMemoryLimit,
        ["stack_limit"] = StackLimit,
        ["max_stack_limit"] = MaxStackLimit,
        ["max_processes_and_or_threads"] = MaxProcessesAndOrThreads,
        ["max_max_processes_and_or_threads"] = MaxMaxProcessesAndOrThreads,
        ["enable_per_process_and_thread_time_limit"] = false,
        ["allow_enable_per_process_and_thread_time_limit"] = false,
        ["enable_per_process_and_thread_memory_limit"] = false,
        ["allow_enable_per_process_and_thread_memory_limit"] = false,
        ["max_file_size"] = MaxFileSize,
        ["max_max_file_size"] = MaxMaxFileSize,
        ["number_of_runs"] = NumberOfRuns,
        ["max_number_of_runs"] = MaxNumberOfRuns,
        ["redirect_stderr_to_stdout"] = false,
        ["max_extract_size"] = 10240,
        ["enable_batched_submissions"] = true,
        ["max_submission_batch_size"] = options.MaxSubmissionBatchSize,
        ["submission_cache_duration"] = 1.0,
        ["use_docs_as_homepage"] = false,
        ["allow_enable_network"] = false,
        ["enable_network"] = false,
    };
}
