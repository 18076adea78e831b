using System.Net.Http.Json;
using System.Text.Json;
using Judge.Storage;
using Judge.Testing;

namespace Judge.Api.Tests.Webhooks;

/// <summary>
/// The built API (role api: the webhook sender, no sandbox) as a child process is killed with SIGKILL while a delivery
/// waits for its retry; started again on the same data, it delivers. The submission is graded by the test itself,
/// through the store, as a worker would complete it.
/// </summary>
public sealed class WebhookRestartTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "judge-webhook-restart", Guid.NewGuid().ToString("N"));
    static readonly string Secret = WebhookReceiver.NewSecret();

    [Fact(Timeout = 120_000)]
    public async Task A_delivery_waiting_for_its_retry_survives_kill_9_and_arrives_after_the_restart()
    {
        Directory.CreateDirectory(Path.Combine(_root, "problems", "basics"));
        File.WriteAllText(Path.Combine(_root, "problems", "basics", "add-two.yaml"), TestProblems.AddTwoYaml);
        var restarted = false;
        // Refuses (503) until the first process is dead, then accepts.
        await using var receiver = await WebhookReceiver.StartAsync(_ => Volatile.Read(ref restarted) ? 200 : 503);

        var store = StorageSetup.Create(new StorageOptions { DataDirectory = Path.Combine(_root, "data") });
        await store.MigrateAsync();
        var submission = new NewSubmission(Guid.NewGuid(), "ip:127.0.0.1", "add-two", TestProblems.AddTwoSolution, null, "hash",
            DateTimeOffset.UtcNow, new Callback(receiver.Url + "after-restart", "v1"));
        (await store.InsertSubmissionAsync(submission, 100)).Outcome.Should().Be(InsertOutcome.Inserted);
        var job = (await store.ClaimAsync("test-worker", TimeSpan.FromMinutes(1), 10))!;
        (await store.CompleteSubmissionAsync(job, new CompletedSubmission("""{"verdict":"accepted","passed":3,"total":3}""", "1"))).Should().BeTrue();

        await using var api = new JudgeProcess(JudgeProcess.BuiltDll(), new Dictionary<string, string>
        {
            ["Judge__Role"] = "api",
            ["Storage__DataDirectory"] = Path.Combine(_root, "data"),
            ["Problems__Directory"] = Path.Combine(_root, "problems"),
            ["Webhooks__SigningSecret"] = Secret,
            ["Webhooks__AllowPrivateTargets"] = "true",
            // Long enough that the kill comes while the delivery waits, short enough for a quick test.
            ["Webhooks__InitialBackoffSeconds"] = "1.5",
            ["Webhooks__MaxBackoffSeconds"] = "3",
            ["Webhooks__PollMilliseconds"] = "100",
            ["Webhooks__TimeoutSeconds"] = "2",
        });
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await api.StartAsync(TimeSpan.FromSeconds(60));
        // The first attempt fails (503) and the delivery waits for its retry.
        await receiver.WaitForAsync(1);
        var pending = await WebhookAsync(http, submission.Id, w => w.GetProperty("attempts").GetInt32() >= 1);
        pending.GetProperty("status").GetString().Should().Be("pending");
        pending.GetProperty("lastStatusCode").GetInt32().Should().Be(503);

        await api.KillAsync(); // SIGKILL: no graceful shutdown
        api.HasExited.Should().BeTrue();
        var attemptsBeforeKill = receiver.Received.Count;
        Volatile.Write(ref restarted, true);

        await api.StartAsync(TimeSpan.FromSeconds(60));
        var delivered = await WebhookAsync(http, submission.Id, w => w.GetProperty("status").GetString() != "pending");
        delivered.GetProperty("status").GetString().Should().Be("delivered");
        // Every recorded attempt is a request the receiver saw (an attempt cut short by the kill is not recorded; on a
        // starved machine the new process may time out once before it delivers, which counts and was seen too).
        attemptsBeforeKill.Should().BeGreaterThanOrEqualTo(1);
        delivered.GetProperty("attempts").GetInt32().Should().BeInRange(2, receiver.Received.Count);
        var received = receiver.Received.ToList();
        received.Last().Answered.Should().Be(200);
        received.Select(r => r.Header("webhook-id")).Distinct().Should().ContainSingle("the same delivery, retried by the new process");
        received.Should().OnlyContain(r => r.Header("webhook-signature") == WebhookReceiver.ExpectedSignature(Secret, r));
        JsonDocument.Parse(received.Last().Body).RootElement.GetProperty("verdict").GetString().Should().Be("accepted");
    }

    static async Task<JsonElement> WebhookAsync(HttpClient http, Guid id, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var webhook = (await http.GetFromJsonAsync<JsonElement>($"/v1/submissions/{id}")).GetProperty("webhook");
            if (until(webhook)) return webhook;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(webhook.ToString());
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
