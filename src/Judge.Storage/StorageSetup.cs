using Judge.Storage.Postgres;
using Judge.Storage.Sqlite;

namespace Judge.Storage;

public static class StorageSetup
{
    /// <summary>The store named by Storage:Provider, migrated before any other hosted service starts.</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration("Storage").ValidateDataAnnotations()
            .Validate(o => o.Provider != StorageProvider.Postgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Storage:ConnectionString is required when Storage:Provider is postgres")
            .ValidateOnStart();
        builder.Services.AddSingleton<IJudgeStore>(sp => Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetService<ILoggerFactory>()));
        builder.Services.AddHostedService<StoreMigrator>();
        return builder;
    }

    /// <summary>The problem catalog (the problems folder plus problems stored through the API), kept in step with storage.</summary>
    public static IHostApplicationBuilder AddProblemCatalog(this IHostApplicationBuilder builder)
    {
        CatalogSync.Register(builder.Services);
        return builder;
    }

    public static IJudgeStore Create(StorageOptions options, ILoggerFactory? loggers = null) => options.Provider switch
    {
        StorageProvider.Sqlite => CreateSqlite(options.DataDirectory),
        StorageProvider.Postgres => new PostgresJudgeStore(options.ConnectionString, loggers?.CreateLogger<PostgresJudgeStore>()),
        _ => throw new NotSupportedException($"storage provider {options.Provider} is not available"),
    };

    static SqliteJudgeStore CreateSqlite(string dataDirectory)
    {
        var directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        return new SqliteJudgeStore(Path.Combine(directory, "judge.db"));
    }

    sealed class StoreMigrator(IJudgeStore store, ILogger<StoreMigrator> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.MigrateAsync(cancellationToken);
            logger.LogInformation("Storage ready (schema version {Version})", await store.GetSchemaVersionAsync(cancellationToken));
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
