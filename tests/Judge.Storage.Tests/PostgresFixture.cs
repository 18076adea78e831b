using Judge.Testing;

namespace Judge.Storage.Tests;

/// <summary>One PostgreSQL server for the whole test run of this assembly; every test gets its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    int _databases;

    internal PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    /// <summary>A new, empty database and a connection string to it.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var name = $"judge_test_{Interlocked.Increment(ref _databases)}";
        await Server.CreateDatabaseAsync(name);
        return Server.ConnectionString(name);
    }

    public async Task DisposeAsync()
    {
        var root = Server.Root;
        await Server.DisposeAsync();
        // No process of the server may outlive the run, and its folder is gone.
        Server.Processes().Should().BeEmpty("PostgreSQL must be stopped at the end of the run");
        Directory.Exists(root).Should().BeFalse();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
