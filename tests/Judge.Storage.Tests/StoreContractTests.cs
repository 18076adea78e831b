using System.Collections.Concurrent;
using System.Diagnostics;

namespace Judge.Storage.Tests;

/// <summary>
/// The storage contract, run against every implementation (a subclass per store). Each test gets a fresh, migrated store.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    protected IJudgeStore Store { get; private set; } = null!;

    /// <summary>A fresh, empty store (not yet migrated).</summary>
    protected abstract Task<IJudgeStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.MigrateAsync();
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    static NewSubmission Submission(string client = "c1", string? key = null, string code = "x = 1", Callback? callback = null) =>
        new(Guid.NewGuid(), client, "add-two", code, key, "hash-" + code, DateTimeOffset.UtcNow, callback);

    async Task<Guid> Queue(string client, string code = "x = 1")
    {
        var (outcome, record) = await Store.InsertSubmissionAsync(Submission(client, code: code), 1000);
        outcome.Should().Be(InsertOutcome.Inserted);
        return record!.Id;
    }

    [Fact]
    public async Task Migrating_again_changes_nothing()
    {
        var version = await Store.GetSchemaVersionAsync();
        version.Should().BePositive();
        await Store.MigrateAsync();
        (await Store.GetSchemaVersionAsync()).Should().Be(version);
    }

    [Fact]
    public async Task A_submission_is_stored_queued_and_read_back()
    {
        var s = Submission(callback: new Callback("https://example.com/hook", "v1"));
        var (outcome, record) = await Store.InsertSubmissionAsync(s, 10);
        outcome.Should().Be(InsertOutcome.Inserted);
        var read = await Store.GetSubmissionAsync(s.Id);
        read.Should().NotBeNull();
        read!.Status.Should().Be(SubmissionStatus.Queued);
        read.Code.Should().Be(s.Code);
        read.ClientId.Should().Be("c1");
        read.Callback.Should().Be(new Callback("https://example.com/hook", "v1"));
        read.CreatedAt.Should().BeCloseTo(s.CreatedAt, TimeSpan.FromMilliseconds(1));
        record!.Id.Should().Be(s.Id);
        (await Store.GetQueueCountsAsync()).Should().Be(new QueueCounts(1, 0));
        (await Store.GetSubmissionAsync(Guid.NewGuid())).Should().BeNull();
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_earlier_submission_and_stores_nothing()
    {
        var first = Submission(key: "k1");
        await Store.InsertSubmissionAsync(first, 10);
        var (outcome, record) = await Store.InsertSubmissionAsync(Submission(key: "k1", code: "other"), 10);
        outcome.Should().Be(InsertOutcome.Existing);
        record!.Id.Should().Be(first.Id);
        (await Store.FindByIdempotencyKeyAsync("c1", "k1"))!.Id.Should().Be(first.Id);
        (await Store.FindByIdempotencyKeyAsync("c2", "k1")).Should().BeNull("keys belong to one client");
        (await Store.InsertSubmissionAsync(Submission(client: "c2", key: "k1"), 10)).Outcome.Should().Be(InsertOutcome.Inserted);
        (await Store.GetQueueCountsAsync()).Queued.Should().Be(2);
    }

    [Fact]
    public async Task A_full_queue_refuses_and_stores_nothing()
    {
        await Queue("c1");
        await Queue("c1");
        var refused = Submission();
        (await Store.InsertSubmissionAsync(refused, 2)).Outcome.Should().Be(InsertOutcome.QueueFull);
        (await Store.GetSubmissionAsync(refused.Id)).Should().BeNull();
        (await Store.InsertRequestAsync(new NewRequest(Guid.NewGuid(), JobKind.Run, "c2", "{}", DateTimeOffset.UtcNow), 2, 10))
            .Should().Be(InsertOutcome.QueueFull);
    }

    [Fact]
    public async Task Claims_take_the_client_with_fewest_running_first_then_the_oldest()
    {
        var greedy = new List<Guid>();
        for (var i = 0; i < 4; i++) greedy.Add(await Queue("greedy", $"g{i}"));
        var polite = await Queue("polite");
        var order = new List<Guid>();
        for (var i = 0; i < 5; i++) order.Add((await Store.ClaimAsync("w1", Lease, 100))!.Id);
        order[0].Should().Be(greedy[0], "the oldest job goes first when nobody runs anything");
        order[1].Should().Be(polite, "a client with nothing running goes before one with a job running");
        order.Where(id => id != polite).Should().Equal(greedy);
        (await Store.ClaimAsync("w1", Lease, 100)).Should().BeNull();
        (await Store.GetQueueCountsAsync()).Should().Be(new QueueCounts(0, 5));
    }

    [Fact]
    public async Task A_client_never_holds_more_than_its_cap_of_running_jobs()
    {
        for (var i = 0; i < 4; i++) await Queue("greedy", $"g{i}");
        var a = await Store.ClaimAsync("w1", Lease, 2);
        var b = await Store.ClaimAsync("w1", Lease, 2);
        (await Store.ClaimAsync("w1", Lease, 2)).Should().BeNull("the greedy client already runs two");
        var other = await Queue("other");
        (await Store.ClaimAsync("w1", Lease, 2))!.Id.Should().Be(other);
        (await Store.CompleteSubmissionAsync(a!, new CompletedSubmission("{}", null))).Should().BeTrue();
        (await Store.ClaimAsync("w1", Lease, 2))!.ClientId.Should().Be("greedy", "a slot of its own came free");
        b.Should().NotBeNull();
    }

    [Fact]
    public async Task Claiming_marks_the_submission_running_and_completing_stores_the_result_once()
    {
        var id = await Queue("c1");
        var job = (await Store.ClaimAsync("w1", Lease, 10))!;
        job.Kind.Should().Be(JobKind.Submission);
        job.Attempt.Should().Be(1);
        job.WorkerId.Should().Be("w1");
        (await Store.GetSubmissionAsync(id))!.Status.Should().Be(SubmissionStatus.Running);

        (await Store.CompleteSubmissionAsync(job, new CompletedSubmission("{\"verdict\":\"accepted\"}", "file:abc"))).Should().BeTrue();
        (await Store.CompleteSubmissionAsync(job, new CompletedSubmission("{\"verdict\":\"wrong_answer\"}", "file:def")))
            .Should().BeFalse("a result lands once");
        var done = (await Store.GetSubmissionAsync(id))!;
        done.Status.Should().Be(SubmissionStatus.Completed);
        done.ResultJson.Should().Be("{\"verdict\":\"accepted\"}");
        done.ProblemVersion.Should().Be("file:abc");
        done.CompletedAt.Should().NotBeNull();
        (await Store.GetQueueCountsAsync()).Should().Be(new QueueCounts(0, 0));
    }

    [Fact]
    public async Task An_expired_lease_is_requeued_and_the_old_holder_can_neither_renew_nor_complete()
    {
        var id = await Queue("c1");
        var stale = (await Store.ClaimAsync("dead", TimeSpan.FromMilliseconds(100), 10))!;
        (await Store.RequeueExpiredAsync()).Should().Be(0, "the lease has not expired yet");
        await Task.Delay(300);
        (await Store.RequeueExpiredAsync()).Should().Be(1);
        (await Store.GetSubmissionAsync(id))!.Status.Should().Be(SubmissionStatus.Queued);

        var fresh = (await Store.ClaimAsync("alive", Lease, 10))!;
        fresh.Attempt.Should().Be(2);
        (await Store.RenewAsync(stale, Lease)).Should().BeFalse();
        (await Store.CompleteSubmissionAsync(stale, new CompletedSubmission("{\"late\":true}", null))).Should().BeFalse();
        (await Store.RenewAsync(fresh, Lease)).Should().BeTrue();
        (await Store.CompleteSubmissionAsync(fresh, new CompletedSubmission("{}", null))).Should().BeTrue();
        (await Store.GetSubmissionAsync(id))!.ResultJson.Should().Be("{}");
    }

    [Fact]
    public async Task A_renewed_lease_does_not_expire()
    {
        await Queue("c1");
        var job = (await Store.ClaimAsync("w1", TimeSpan.FromMilliseconds(300), 10))!;
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(120);
            (await Store.RenewAsync(job, TimeSpan.FromMilliseconds(300))).Should().BeTrue();
            (await Store.RequeueExpiredAsync()).Should().Be(0);
        }
    }

    [Fact]
    public async Task Released_jobs_go_back_without_counting_an_attempt_and_requeue_all_takes_back_everything()
    {
        var id = await Queue("c1");
        var job = (await Store.ClaimAsync("w1", Lease, 10))!;
        await Store.ReleaseAsync(job);
        (await Store.GetSubmissionAsync(id))!.Status.Should().Be(SubmissionStatus.Queued);
        var again = (await Store.ClaimAsync("w2", Lease, 10))!;
        again.Attempt.Should().Be(1);
        (await Store.RequeueAllRunningAsync()).Should().Be(1);
        (await Store.GetQueueCountsAsync()).Should().Be(new QueueCounts(1, 0));
    }

    [Fact]
    public async Task Parallel_claimers_take_every_job_exactly_once()
    {
        for (var i = 0; i < 60; i++) await Queue($"client{i % 7}", $"code{i}");
        var claimed = new ConcurrentBag<Guid>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            while (await Store.ClaimAsync($"w{w}", Lease, 1000) is { } job)
            {
                claimed.Add(job.Id);
                (await Store.CompleteSubmissionAsync(job, new CompletedSubmission("{}", null))).Should().BeTrue();
            }
        })));
        claimed.Should().HaveCount(60).And.OnlyHaveUniqueItems();
        (await Store.GetQueueCountsAsync()).Should().Be(new QueueCounts(0, 0));
    }

    [Fact]
    public async Task Parallel_claimers_never_give_one_client_more_than_its_cap()
    {
        for (var i = 0; i < 30; i++) await Queue("greedy", $"g{i}");
        var running = 0;
        var most = 0;
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            while (Volatile.Read(ref done) < 30)
            {
                if (await Store.ClaimAsync($"w{w}", Lease, 2) is not { } job)
                {
                    await Task.Delay(5);
                    continue;
                }
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                await Task.Delay(10);
                Interlocked.Decrement(ref running);
                (await Store.CompleteSubmissionAsync(job, new CompletedSubmission("{}", null))).Should().BeTrue();
                Interlocked.Increment(ref done);
            }
        })));
        most.Should().BeLessThanOrEqualTo(2, "claims of one client are serialised against its cap");
        most.Should().Be(2, "two claimers did hold jobs at once");
        (await Store.GetQueueCountsAsync()).Should().Be(new QueueCounts(0, 0));
    }

    static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public async Task Requests_are_queued_claimed_answered_and_limited_per_client()
    {
        var id = Guid.NewGuid();
        (await Store.InsertRequestAsync(new NewRequest(id, JobKind.Run, "c1", "{\"code\":\"print(1)\"}", DateTimeOffset.UtcNow), 10, 2))
            .Should().Be(InsertOutcome.Inserted);
        (await Store.InsertRequestAsync(new NewRequest(Guid.NewGuid(), JobKind.Run, "c1", "{}", DateTimeOffset.UtcNow), 10, 2))
            .Should().Be(InsertOutcome.Inserted);
        var third = Guid.NewGuid();
        (await Store.InsertRequestAsync(new NewRequest(third, JobKind.Run, "c1", "{}", DateTimeOffset.UtcNow), 10, 2))
            .Should().Be(InsertOutcome.ClientBusy);
        (await Store.GetRequestAsync(third)).Should().BeNull();

        var job = (await Store.ClaimAsync("w1", Lease, 10))!;
        job.Id.Should().Be(id);
        job.Kind.Should().Be(JobKind.Run);
        (await Store.GetRequestAsync(id))!.Status.Should().Be(SubmissionStatus.Running);
        (await Store.CompleteRequestAsync(job, "{\"status\":\"ok\"}")).Should().BeTrue();
        var done = (await Store.GetRequestAsync(id))!;
        done.Status.Should().Be(SubmissionStatus.Completed);
        done.ResultJson.Should().Be("{\"status\":\"ok\"}");
        done.PayloadJson.Should().Be("{\"code\":\"print(1)\"}");
        await Store.DeleteRequestAsync(id);
        (await Store.GetRequestAsync(id)).Should().BeNull();
    }

    [Fact]
    public async Task Requests_are_counted_per_UTC_day_of_creation_by_kind_while_they_are_stored()
    {
        var today = DateTimeOffset.UtcNow;
        var yesterday = today.AddDays(-1);
        var old = today.AddDays(-40);
        foreach (var (created, kind) in new[] { (today, JobKind.Run), (today, JobKind.Run), (yesterday, JobKind.Run), (old, JobKind.Run), (today, JobKind.Validation) })
            (await Store.InsertRequestAsync(new NewRequest(Guid.NewGuid(), kind, "c" + Guid.NewGuid(), "{}", created), 100, 10))
                .Should().Be(InsertOutcome.Inserted);
        var deleted = Guid.NewGuid();
        await Store.InsertRequestAsync(new NewRequest(deleted, JobKind.Run, "c9", "{}", today), 100, 10);
        await Store.AbandonRequestAsync(deleted);

        static DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(t.UtcDateTime);
        var recent = await Store.CountRequestsByDayAsync(JobKind.Run, today.AddDays(-30));
        recent.Should().BeEquivalentTo(new Dictionary<DateOnly, int> { [Day(today)] = 2, [Day(yesterday)] = 1 });
        (await Store.CountRequestsByDayAsync(JobKind.Run, DateTimeOffset.MinValue)).Values.Sum().Should().Be(4);
        (await Store.CountRequestsByDayAsync(JobKind.Validation, DateTimeOffset.MinValue)).Should()
            .BeEquivalentTo(new Dictionary<DateOnly, int> { [Day(today)] = 1 });
        (await Store.CountRequestsByDayAsync(JobKind.Submission, DateTimeOffset.MinValue)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_abandoned_request_is_dropped_while_queued_but_not_once_running()
    {
        var running = Guid.NewGuid();
        await Store.InsertRequestAsync(new NewRequest(running, JobKind.Run, "c1", "{}", DateTimeOffset.UtcNow), 10, 10);
        (await Store.ClaimAsync("w1", Lease, 10))!.Id.Should().Be(running);
        var queued = Guid.NewGuid();
        await Store.InsertRequestAsync(new NewRequest(queued, JobKind.Validation, "c2", "{}", DateTimeOffset.UtcNow), 10, 10);

        await Store.AbandonRequestAsync(queued);
        await Store.AbandonRequestAsync(running);
        (await Store.GetRequestAsync(queued)).Should().BeNull("nobody had started it");
        (await Store.GetRequestAsync(running)).Should().NotBeNull("it is running: it finishes and is ignored");
        (await Store.GetQueueCountsAsync()).Should().Be(new QueueCounts(0, 1));
    }

    [Fact]
    public async Task Waiting_for_a_completion_returns_when_it_lands_or_at_once_when_already_done()
    {
        var id = await Queue("c1");
        var job = (await Store.ClaimAsync("w1", Lease, 10))!;
        var stopwatch = Stopwatch.StartNew();
        var wait = Store.WaitForCompletionAsync(id, TimeSpan.FromSeconds(20));
        await Task.Delay(200);
        wait.IsCompleted.Should().BeFalse();
        await Store.CompleteSubmissionAsync(job, new CompletedSubmission("{}", null));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));

        var again = Stopwatch.StartNew();
        await Store.WaitForCompletionAsync(id, TimeSpan.FromSeconds(20));
        again.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "it is already completed");

        var other = await Queue("c2");
        var timedOut = Stopwatch.StartNew();
        await Store.WaitForCompletionAsync(other, TimeSpan.FromMilliseconds(300));
        timedOut.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Waiting_for_work_wakes_when_a_job_is_queued()
    {
        var wait = Store.WaitForWorkAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(200);
        var stopwatch = Stopwatch.StartNew();
        await Queue("c1");
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Problems_are_versioned_and_changes_include_deletions()
    {
        (await Store.SaveProblemAsync("p1", "{\"v\":1}")).Should().Be(1);
        (await Store.SaveProblemAsync("p2", "{\"v\":1}")).Should().Be(1);
        (await Store.SaveProblemAsync("p1", "{\"v\":2}")).Should().Be(2);
        var all = await Store.GetProblemChangesAsync(0);
        all.Select(p => (p.Id, p.Document, p.Version)).Should().BeEquivalentTo([("p2", "{\"v\":1}", 1L), ("p1", "{\"v\":2}", 2L)]);
        var revision = all.Max(p => p.Revision);
        (await Store.GetProblemChangesAsync(revision)).Should().BeEmpty();

        (await Store.DeleteProblemAsync("p2")).Should().BeTrue();
        (await Store.DeleteProblemAsync("p2")).Should().BeFalse();
        (await Store.DeleteProblemAsync("never")).Should().BeFalse();
        var changes = await Store.GetProblemChangesAsync(revision);
        changes.Should().ContainSingle().Which.Should().Match<StoredProblem>(p => p.Id == "p2" && p.Deleted);
        (await Store.SaveProblemAsync("p2", "{\"v\":3}")).Should().Be(3, "a re-created problem keeps counting versions");
    }

    [Fact]
    public async Task Completing_a_submission_with_a_callback_queues_one_delivery_that_is_claimed_retried_and_delivered()
    {
        var (_, record) = await Store.InsertSubmissionAsync(Submission(callback: new Callback("https://hooks.example/judge", "v1")), 10);
        var plain = await Queue("c2");
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var job = (await Store.ClaimAsync("w1", Lease, 10))!;
            await Store.CompleteSubmissionAsync(job, new CompletedSubmission("{}", null));
        }
        (await Store.GetWebhookDeliveriesAsync(plain)).Should().BeEmpty();

        var due = await Store.ClaimDueWebhooksAsync("sender", 10, Lease);
        var delivery = due.Should().ContainSingle().Subject;
        delivery.SourceId.Should().Be(record!.Id);
        delivery.Url.Should().Be("https://hooks.example/judge");
        delivery.Surface.Should().Be("v1");
        delivery.ClientId.Should().Be("c1");
        (await Store.ClaimDueWebhooksAsync("other", 10, Lease)).Should().BeEmpty("it is leased");

        await Store.RecordWebhookAttemptAsync(delivery, new WebhookAttempt(false, 500, "server error", DateTimeOffset.UtcNow.AddMilliseconds(200)));
        (await Store.ClaimDueWebhooksAsync("sender", 10, Lease)).Should().BeEmpty("the retry is not due yet");
        await Task.Delay(400);
        var retry = (await Store.ClaimDueWebhooksAsync("sender", 10, Lease)).Should().ContainSingle().Subject;
        retry.Attempts.Should().Be(1);
        await Store.RecordWebhookAttemptAsync(retry, new WebhookAttempt(true, 200, null, null));
        var shown = (await Store.GetWebhookDeliveriesAsync(record.Id)).Should().ContainSingle().Subject;
        shown.Status.Should().Be(WebhookStatus.Delivered);
        shown.Attempts.Should().Be(2);
        shown.LastStatusCode.Should().Be(200);
        shown.DeliveredAt.Should().NotBeNull();
        (await Store.ClaimDueWebhooksAsync("sender", 10, Lease)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_delivery_given_up_is_failed_and_never_claimed_again()
    {
        var (_, record) = await Store.InsertSubmissionAsync(Submission(callback: new Callback("https://hooks.example/x", "judge0")), 10);
        await Store.CompleteSubmissionAsync((await Store.ClaimAsync("w1", Lease, 10))!, new CompletedSubmission("{}", null));
        var delivery = (await Store.ClaimDueWebhooksAsync("sender", 10, Lease)).Single();
        await Store.RecordWebhookAttemptAsync(delivery, new WebhookAttempt(false, 400, "bad request", null));
        (await Store.GetWebhookDeliveriesAsync(record!.Id)).Single().Status.Should().Be(WebhookStatus.Failed);
        (await Store.ClaimDueWebhooksAsync("sender", 10, Lease)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_delivery_whose_sender_died_is_claimed_again_after_its_lease()
    {
        await Store.InsertSubmissionAsync(Submission(callback: new Callback("https://hooks.example/x", "v1")), 10);
        await Store.CompleteSubmissionAsync((await Store.ClaimAsync("w1", Lease, 10))!, new CompletedSubmission("{}", null));
        (await Store.ClaimDueWebhooksAsync("dead", 10, TimeSpan.FromMilliseconds(100))).Should().ContainSingle();
        await Task.Delay(300);
        (await Store.ClaimDueWebhooksAsync("alive", 10, Lease)).Should().ContainSingle();
    }

    [Fact]
    public async Task Purge_deletes_only_what_completed_before_the_cutoff()
    {
        var old = await Queue("c1");
        await Store.CompleteSubmissionAsync((await Store.ClaimAsync("w1", Lease, 10))!, new CompletedSubmission("{}", null));
        var pending = await Queue("c1");
        var purged = await Store.PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(-1));
        purged.Should().Be(new PurgeCounts(0, 0));
        purged = await Store.PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(1));
        purged.Submissions.Should().Be(1);
        (await Store.GetSubmissionAsync(old)).Should().BeNull();
        (await Store.GetSubmissionAsync(pending)).Should().NotBeNull("it has not completed");
    }
}

public sealed class SqliteStoreContractTests : StoreContractTests
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "judge-store-tests", Guid.NewGuid().ToString("N"));

    protected override Task<IJudgeStore> CreateStoreAsync() =>
        Task.FromResult(StorageSetup.Create(new StorageOptions { Provider = StorageProvider.Sqlite, DataDirectory = _directory }));

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContractTests(PostgresFixture postgres) : StoreContractTests
{
    protected override async Task<IJudgeStore> CreateStoreAsync() =>
        StorageSetup.Create(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = await postgres.NewDatabaseAsync() });

    public override async Task DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }

    [Fact]
    public async Task The_listening_connection_comes_back_after_it_is_killed_and_notifications_flow_again()
    {
        var listener = ((Postgres.PostgresJudgeStore)Store).Listener;
        await WaitUntil(() => listener.Connected);
        var killed = await postgres.Server.PsqlAsync(
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{Postgres.PostgresListener.ApplicationName}'");
        killed.Should().Be("1");
        await WaitUntil(() => !listener.Connected);
        await WaitUntil(() => listener.Connected);

        var before = listener.Received;
        await Store.InsertSubmissionAsync(new NewSubmission(Guid.NewGuid(), "c1", "p", "x = 1", null, "h", DateTimeOffset.UtcNow), 10);
        await WaitUntil(() => listener.Received > before);
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
            await Task.Delay(20);
        }
    }
}
