using Judge.Core.Problems;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Judge.Storage.Tests;

/// <summary>
/// A node's catalog follows the problems stored through the API by polling. A worker can claim a submission for a
/// problem another node created a moment ago, before its own next poll: looking the problem up must read storage then,
/// not fail the submission.
/// </summary>
public sealed class CatalogSyncTests : IAsyncLifetime
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "judge-catalog-sync", Guid.NewGuid().ToString("N"));
    readonly IJudgeStore _store;
    readonly ProblemCatalog _catalog = new();
    readonly CatalogSync _sync;

    public CatalogSyncTests()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "problems"));
        _store = StorageSetup.Create(new StorageOptions { Provider = StorageProvider.Sqlite, DataDirectory = _directory });
        // Not started: no poll runs, as between two polls of a running node.
        _sync = new CatalogSync(_catalog, _store, Options.Create(new ProblemsOptions { Directory = Path.Combine(_directory, "problems") }),
            new HostingEnvironment { ContentRootPath = _directory }, NullLogger<CatalogSync>.Instance);
    }

    public Task InitializeAsync() => _store.MigrateAsync();

    static string Document(string id)
    {
        var bank = ProblemsOptions.FindDefault(AppContext.BaseDirectory) ?? throw new DirectoryNotFoundException("problems/");
        var problem = ProblemLoader.LoadFolder(bank).First(r => r.Ok).Problem!;
        return ProblemLoader.ToJsonDocument(problem with { Id = id }).ToJsonString();
    }

    [Fact]
    public async Task A_problem_stored_by_another_node_since_the_last_poll_is_found_by_reading_storage()
    {
        await _store.SaveProblemAsync("made-elsewhere", Document("made-elsewhere"));
        _catalog.TryGet("made-elsewhere", out _).Should().BeFalse("no poll has run since it was stored");

        var found = await _sync.FindAsync("made-elsewhere");

        found.Should().NotBeNull();
        found!.Id.Should().Be("made-elsewhere");
        found.Version.Should().Be("api:1");
        _catalog.TryGet("made-elsewhere", out _).Should().BeTrue("the catalog took every change it read");
    }

    [Fact]
    public async Task A_problem_stored_nowhere_is_not_found_and_a_deleted_one_is_gone_after_the_read()
    {
        (await _sync.FindAsync("never-made")).Should().BeNull();

        await _store.SaveProblemAsync("short-lived", Document("short-lived"));
        (await _sync.FindAsync("short-lived")).Should().NotBeNull();
        await _store.DeleteProblemAsync("short-lived");
        await _sync.ApplyChangesAsync();
        (await _sync.FindAsync("short-lived")).Should().BeNull();
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
