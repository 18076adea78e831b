using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Judge.Api.Tests.Compat;
using Judge.Api.Webhooks;
using Judge.Storage;
using Judge.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Judge.Api.Tests.Webhooks;

/// <summary>
/// A split deployment in one test process: a node of role api and a node of role worker on one data directory (the
/// same store). Judge0 submissions must reach the worker through the shared queue, and exactly one kind of node (api)
/// may send webhooks, or a cluster would deliver each one from every node or from none.
/// </summary>
public sealed class SplitRoleTests : IAsyncDisposable
{
    static readonly string Secret = WebhookReceiver.NewSecret();
    readonly string _data = Path.Combine(Path.GetTempPath(), "judge-split-role", Guid.NewGuid().ToString("N"));
    readonly List<JudgeApiFactory> _nodes = [];

    JudgeApiFactory Node(string role, PythonFake? sandbox = null)
    {
        var node = new JudgeApiFactory(new Dictionary<string, string?>
        {
            ["Judge:Role"] = role,
            ["Judge:NodeId"] = role + "-1",
            ["Storage:DataDirectory"] = _data,
            ["Webhooks:SigningSecret"] = Secret,
            ["Webhooks:AllowPrivateTargets"] = "true",
            ["Webhooks:PollMilliseconds"] = "50",
        }, sandbox);
        _nodes.Add(node);
        return node;
    }

    static int Count<T>(JudgeApiFactory node) => node.Services.GetServices<IHostedService>().Count(s => s is T);

    [Fact]
    public async Task Only_api_nodes_run_the_webhook_sender_and_only_worker_nodes_take_jobs()
    {
        var api = Node("api");
        var worker = Node("worker", PythonFake.Hello());

        Count<WebhookSender>(api).Should().Be(1);
        Count<WorkerService>(api).Should().Be(0, "an api node never runs a sandbox");
        Count<WebhookSender>(worker).Should().Be(0, "a worker sends no webhooks: a delivery has one kind of sender");
        Count<WorkerService>(worker).Should().Be(1);
        (await worker.CreateClient().GetAsync("/judge0/submissions")).StatusCode.Should().Be(HttpStatusCode.NotFound,
            "a worker serves no API, Judge0's included");
    }

    [Fact(Timeout = 90_000)]
    public async Task A_Judge0_submission_made_on_an_api_node_waits_in_the_shared_queue_is_graded_by_a_worker_node_and_its_callback_comes_from_the_api_node()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        var api = Node("api");
        var client = api.CreateClient();
        var created = await client.PostAsync("/judge0/submissions", CompatHttp.Json(
            $$"""{"source_code": "print('hello, ' + input())", "language_id": 71, "stdin": "split", "callback_url": "{{receiver.Url}}judge0"}"""));
        var token = (await CompatHttp.Body(created, HttpStatusCode.Created)).GetProperty("token").GetString()!;

        // No worker yet: the submission is a queued job in the store every node shares, not in this process's memory.
        var store = api.Services.GetRequiredService<IJudgeStore>();
        (await store.GetQueueCountsAsync()).Should().Be(new QueueCounts(1, 0));
        var record = await store.GetRequestAsync(Guid.Parse(token));
        record.Should().NotBeNull();
        record!.Kind.Should().Be(JobKind.Run);
        record.Status.Should().Be(SubmissionStatus.Queued);

        var sandbox = PythonFake.Hello();
        var worker = Node("worker", sandbox);
        worker.CreateClient(); // starts the worker node

        var received = await receiver.WaitForAsync(1, TimeSpan.FromSeconds(60));
        received[0].Method.Should().Be("PUT");
        received[0].Header("webhook-signature").Should().Be(WebhookReceiver.ExpectedSignature(Secret, received[0]));
        var hooked = JsonDocument.Parse(received[0].Body).RootElement;
        hooked.GetProperty("token").GetString().Should().Be(token);
        Encoding.UTF8.GetString(Convert.FromBase64String(hooked.GetProperty("stdout").GetString()!)).Should().Be("hello, split\n");
        sandbox.Runs.Should().Contain(r => r.Stdin == "split", "the worker node ran it");

        var view = await client.GetFromJsonAsync<JsonElement>($"/judge0/submissions/{token}?base64_encoded=false");
        view.GetProperty("status").GetProperty("id").GetInt32().Should().Be(3);
        view.GetProperty("stdout").GetString().Should().Be("hello, split\n");
        (await WebhookMetricAsync(client, "delivered")).Should().Be(1, "the api node sent it");
        (await WebhookMetricAsync(worker.CreateClient(), "delivered")).Should().Be(0, "the worker node sent nothing");
    }

    static async Task<double> WebhookMetricAsync(HttpClient client, string outcome)
    {
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l =>
            l.StartsWith("judge_webhook_deliveries_total{", StringComparison.Ordinal) && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
