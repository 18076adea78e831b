using Judge.Storage;
using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Core.Validation;
using Microsoft.Extensions.Options;

namespace Judge.Api.Problems;

public static class ProblemsSetup
{
    /// <summary>The catalog (problems/ plus API-created problems from storage), the grader and the validator.</summary>
    public static IHostApplicationBuilder AddProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProblemsOptions>().BindConfiguration("Problems").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ProblemCatalog>();
        builder.Services.AddSingleton<Grader>();
        builder.Services.AddSingleton<ProblemValidator>();
        builder.Services.AddHostedService<CatalogLoader>();
        return builder;
    }

    /// <summary>Fills the catalog before anything grades: problems/ first, then API-created problems, which may not replace files.</summary>
    sealed class CatalogLoader(
        ProblemCatalog catalog, JudgeStore store, IOptions<ProblemsOptions> options, IHostEnvironment environment, ILogger<CatalogLoader> logger)
        : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var folder = options.Value.Directory is { Length: > 0 } configured
                ? Path.GetFullPath(configured)
                : ProblemsOptions.FindDefault(System.IO.Directory.GetCurrentDirectory(), environment.ContentRootPath, AppContext.BaseDirectory);
            if (folder is null || !System.IO.Directory.Exists(folder))
                logger.LogWarning("No problems folder found ({Folder}); only API-created problems are served", folder ?? "none");
            else
            {
                var loaded = 0;
                foreach (var result in ProblemLoader.LoadFolder(folder))
                {
                    if (result.Ok) { catalog.Upsert(result.Problem!); loaded++; }
                    else foreach (var error in result.Errors) logger.LogWarning("Problem skipped: {Error}", error.ToString());
                }
                logger.LogInformation("Loaded {Count} problems from {Folder}", loaded, folder);
            }

            foreach (var (id, document) in store.ListProblems())
            {
                var result = ProblemLoader.ParseJson(document);
                if (result.Ok && !(catalog.TryGet(id, out var existing) && existing.Source != ProblemsApi.ApiSource))
                    catalog.Upsert(result.Problem! with { Source = ProblemsApi.ApiSource });
                else
                    logger.LogWarning("Stored problem {Id} skipped: {Errors}", id, string.Join("; ", result.Errors));
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
