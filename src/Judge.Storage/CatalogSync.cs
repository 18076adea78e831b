using System.Security.Cryptography;
using Judge.Core.Problems;

namespace Judge.Storage;

/// <summary>
/// Keeps this node's <see cref="ProblemCatalog"/> in step: the problems folder once at start, then the problems stored
/// through the API (from any node), polled every half second so every node sees a change within a second. A stored
/// problem never replaces one from the folder (those change only with the folder).
/// </summary>
public sealed class CatalogSync(
    ProblemCatalog catalog, IJudgeStore store, IOptions<ProblemsOptions> options, IHostEnvironment environment, ILogger<CatalogSync> logger)
    : BackgroundService
{
    public const string ApiSource = "api";
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    long _revision;
    readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the folder and the stored problems are in the catalog.</summary>
    public Task Loaded => _loaded.Task;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        LoadFolder();
        await ApplyChangesAsync(cancellationToken);
        _loaded.TrySetResult();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await ApplyChangesAsync(stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Could not read problem changes from storage: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>The problem with this id, reading storage first when this node does not have it yet: an api node may
    /// queue a submission for a problem created a moment ago, before this node's next poll.</summary>
    public async Task<Problem?> FindAsync(string id, CancellationToken ct = default)
    {
        if (catalog.TryGet(id, out var problem)) return problem;
        await ApplyChangesAsync(ct);
        return catalog.TryGet(id, out problem) ? problem : null;
    }

    /// <summary>Applies what changed in storage since the last call (also called by the node that made the change, so it
    /// sees it at once).</summary>
    public async Task ApplyChangesAsync(CancellationToken ct = default)
    {
        foreach (var stored in await store.GetProblemChangesAsync(Interlocked.Read(ref _revision), ct))
        {
            if (catalog.TryGet(stored.Id, out var existing) && existing.Source != ApiSource)
                logger.LogWarning("Stored problem {Id} ignored: the problems folder has one with that id", stored.Id);
            else if (stored.Deleted)
                catalog.Remove(stored.Id);
            else if (ProblemLoader.ParseJson(stored.Document!) is { Ok: true } parsed)
                catalog.Upsert(parsed.Problem! with { Source = ApiSource, Version = $"api:{stored.Version}" });
            else
                logger.LogWarning("Stored problem {Id} skipped: it no longer parses", stored.Id);
            InterlockedMax(ref _revision, stored.Revision);
        }
    }

    static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    void LoadFolder()
    {
        var folder = options.Value.Directory is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : ProblemsOptions.FindDefault(Directory.GetCurrentDirectory(), environment.ContentRootPath, AppContext.BaseDirectory);
        if (folder is null || !Directory.Exists(folder))
        {
            logger.LogWarning("No problems folder found ({Folder}); only API-created problems are served", folder ?? "none");
            return;
        }
        var loaded = 0;
        foreach (var result in ProblemLoader.LoadFolder(folder))
        {
            if (result.Ok)
            {
                catalog.Upsert(result.Problem! with { Version = FileVersion(result.Problem!.Source) });
                loaded++;
            }
            else foreach (var error in result.Errors) logger.LogWarning("Problem skipped: {Error}", error.ToString());
        }
        logger.LogInformation("Loaded {Count} problems from {Folder}", loaded, folder);
    }

    static string FileVersion(string path)
    {
        try { return "file:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..12]; }
        catch (IOException) { return "file:unknown"; }
    }

    /// <summary>The catalog and its sync, registered once per node.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddOptions<ProblemsOptions>().BindConfiguration("Problems").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ProblemCatalog>();
        services.AddSingleton<CatalogSync>();
        services.AddHostedService(sp => sp.GetRequiredService<CatalogSync>());
    }
}
