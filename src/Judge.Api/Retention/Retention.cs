using System.ComponentModel.DataAnnotations;
using Judge.Storage;

namespace Judge.Api.Retention;

/// <summary>Configuration section "Retention".</summary>
public sealed class RetentionOptions
{
    /// <summary>Completed submissions and requests older than this many days are deleted (hourly); 0 keeps them.</summary>
    [Range(0, 36500)] public int Days { get; set; }
}

/// <summary>Deletes old completed submissions once an hour when Retention:Days is set (every API node may; it is idempotent).</summary>
internal sealed class RetentionService(IJudgeStore store, IOptions<RetentionOptions> options, ILogger<RetentionService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Days == 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                var purged = await store.PurgeAsync(DateTimeOffset.UtcNow.AddDays(-options.Value.Days), stoppingToken);
                if (purged.Submissions + purged.Requests > 0)
                    logger.LogInformation("Purged {Submissions} submissions and {Requests} requests older than {Days} days",
                        purged.Submissions, purged.Requests, options.Value.Days);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Purging old submissions failed: {Error}", e.Message);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public static class RetentionSetup
{
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration("Retention").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<RetentionService>();
        return builder;
    }
}
