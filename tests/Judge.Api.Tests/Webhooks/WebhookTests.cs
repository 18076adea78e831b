using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Judge.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Judge.Api.Tests.Webhooks;

/// <summary>Webhooks of /v1 and Judge0 delivered to a receiver inside the test (short backoff, loopback allowed unless a
/// test is about refusing it), with a fake sandbox.</summary>
public sealed class WebhookTests
{
    static readonly string Secret = WebhookReceiver.NewSecret();
    static readonly string ClientSecret = WebhookReceiver.NewSecret();

    static JudgeApiFactory Api(bool allowPrivate = true, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:SigningSecret"] = Secret,
            ["Webhooks:ClientSecrets:0:ClientKey"] = JudgeApiFactory.OtherClientKey,
            ["Webhooks:ClientSecrets:0:SigningSecret"] = ClientSecret,
            ["Webhooks:AllowPrivateTargets"] = allowPrivate ? "true" : "false",
            ["Webhooks:InitialBackoffSeconds"] = "0.2",
            ["Webhooks:MaxBackoffSeconds"] = "0.4",
            ["Webhooks:PollMilliseconds"] = "50",
            ["Webhooks:TimeoutSeconds"] = "3",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>()) settings[key] = value;
        return new JudgeApiFactory(settings, FakeSandbox.Echo());
    }

    static async Task<string> SubmitAsync(HttpClient client, string callbackUrl)
    {
        var response = await client.PostAsJsonAsync("/v1/submissions?wait=true",
            new { problemId = "add-two", code = TestProblems.AddTwoSolution, callbackUrl });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body.ToString());
        return body.GetProperty("id").GetString()!;
    }

    /// <summary>Polls GET /v1/submissions/{id} until its webhook is no longer pending.</summary>
    static async Task<JsonElement> WebhookSettledAsync(HttpClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var view = await client.GetFromJsonAsync<JsonElement>($"/v1/submissions/{id}");
            var webhook = view.GetProperty("webhook");
            if (webhook.GetProperty("status").GetString() != "pending") return view;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(view.ToString());
            await Task.Delay(50);
        }
    }

    static async Task<double> MetricAsync(HttpClient client, string outcome)
    {
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith($"judge_webhook_deliveries_total{{outcome=\"{outcome}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_graded_submission_is_POSTed_to_its_callback_with_a_Standard_Webhooks_signature_that_verifies()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        await using var api = Api();
        var anonymous = api.CreateClient();
        var id = await SubmitAsync(anonymous, receiver.Url + "hooks/judge?token=abc");
        var platform = api.ClientWith(JudgeApiFactory.OtherClientKey);
        var platformId = await SubmitAsync(platform, receiver.Url + "platform");

        var received = await receiver.WaitForAsync(2);
        var hook = received.Single(r => r.PathAndQuery == "/hooks/judge?token=abc");
        hook.Method.Should().Be("POST");
        hook.Header("content-type").Should().StartWith("application/json");
        Guid.TryParse(hook.Header("webhook-id"), out _).Should().BeTrue();
        long.Parse(hook.Header("webhook-timestamp")).Should().BeCloseTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 60);
        hook.Header("webhook-signature").Should().Be(WebhookReceiver.ExpectedSignature(Secret, hook));
        // A platform with a secret of its own gets its deliveries signed with that secret, not Judge's.
        var platformHook = received.Single(r => r.PathAndQuery == "/platform");
        platformHook.Header("webhook-signature").Should().Be(WebhookReceiver.ExpectedSignature(ClientSecret, platformHook))
            .And.NotBe(WebhookReceiver.ExpectedSignature(Secret, platformHook));
        // A body changed in transit no longer verifies.
        WebhookReceiver.ExpectedSignature(Secret, hook with { Body = [.. hook.Body, (byte)' '] }).Should().NotBe(hook.Header("webhook-signature"));

        var view = await WebhookSettledAsync(anonymous, id);
        var webhook = view.GetProperty("webhook");
        webhook.GetProperty("status").GetString().Should().Be("delivered");
        webhook.GetProperty("attempts").GetInt32().Should().Be(1);
        webhook.GetProperty("lastStatusCode").GetInt32().Should().Be(204);
        webhook.GetProperty("deliveredAt").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        // The body is the submission as GET returns it, without its own webhook status.
        var sent = JsonNode.Parse(hook.Body)!.AsObject();
        var read = JsonNode.Parse(view.GetRawText())!.AsObject();
        read.Remove("webhook");
        JsonNode.DeepEquals(sent, read).Should().BeTrue($"sent {sent.ToJsonString()}\nread {read.ToJsonString()}");
        sent["id"]!.GetValue<string>().Should().Be(id);
        sent["status"]!.GetValue<string>().Should().Be("completed");
        (await WebhookSettledAsync(platform, platformId)).GetProperty("webhook").GetProperty("status").GetString().Should().Be("delivered");
        (await MetricAsync(anonymous, "delivered")).Should().Be(2);
    }

    [Fact]
    public async Task A_500_is_retried_with_the_same_webhook_id_and_the_next_success_delivers_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync(n => n == 0 ? 500 : 200);
        await using var api = Api();
        var client = api.CreateClient();
        var id = await SubmitAsync(client, receiver.Url);

        var view = await WebhookSettledAsync(client, id);
        var webhook = view.GetProperty("webhook");
        webhook.GetProperty("status").GetString().Should().Be("delivered");
        webhook.GetProperty("attempts").GetInt32().Should().Be(2);
        webhook.GetProperty("lastStatusCode").GetInt32().Should().Be(200);
        var received = await receiver.WaitForAsync(2);
        received.Select(r => r.Answered).Should().Equal(500, 200);
        received.Select(r => r.Header("webhook-id")).Distinct().Should().ContainSingle("a retry is the same message");
        received.Should().OnlyContain(r => r.Header("webhook-signature") == WebhookReceiver.ExpectedSignature(Secret, r));
        received[0].Body.Should().Equal(received[1].Body);
        (await MetricAsync(client, "retried")).Should().Be(1);
        (await MetricAsync(client, "delivered")).Should().Be(1);
    }

    [Fact]
    public async Task A_400_is_not_retried_and_the_delivery_shows_failed_after_one_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 400);
        await using var api = Api();
        var client = api.CreateClient();
        var id = await SubmitAsync(client, receiver.Url);

        var webhook = (await WebhookSettledAsync(client, id)).GetProperty("webhook");
        webhook.GetProperty("status").GetString().Should().Be("failed");
        webhook.GetProperty("attempts").GetInt32().Should().Be(1);
        webhook.GetProperty("lastStatusCode").GetInt32().Should().Be(400);
        webhook.TryGetProperty("deliveredAt", out _).Should().BeFalse();
        await Task.Delay(1500); // several backoff periods: nothing more may arrive
        receiver.Received.Should().ContainSingle();
        (await MetricAsync(client, "failed")).Should().Be(1);
        (await MetricAsync(client, "retried")).Should().Be(0);
    }

    [Fact]
    public async Task Retries_stop_after_MaxAttempts_and_the_delivery_shows_failed()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 503);
        await using var api = Api(more: new Dictionary<string, string?> { ["Webhooks:MaxAttempts"] = "3" });
        var client = api.CreateClient();
        var id = await SubmitAsync(client, receiver.Url);

        var webhook = (await WebhookSettledAsync(client, id)).GetProperty("webhook");
        webhook.GetProperty("status").GetString().Should().Be("failed");
        webhook.GetProperty("attempts").GetInt32().Should().Be(3);
        webhook.GetProperty("lastError").GetString().Should().Be("HTTP 503");
        await Task.Delay(1000);
        receiver.Received.Should().HaveCount(3);
    }

    [Fact]
    public async Task Private_targets_are_refused_by_default_literal_or_by_a_name_that_resolves_to_loopback()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        await using var api = Api(allowPrivate: false);
        var client = api.CreateClient();
        var literal = await SubmitAsync(client, $"http://127.0.0.1:{receiver.Port}/");
        var named = await SubmitAsync(client, $"http://localhost:{receiver.Port}/");
        var mapped = await SubmitAsync(client, $"http://[::ffff:127.0.0.1]:{receiver.Port}/");

        foreach (var id in new[] { literal, named, mapped })
        {
            var webhook = (await WebhookSettledAsync(client, id)).GetProperty("webhook");
            webhook.GetProperty("status").GetString().Should().Be("failed");
            webhook.GetProperty("attempts").GetInt32().Should().Be(1);
            webhook.GetProperty("lastError").GetString().Should().StartWith("target refused");
            webhook.TryGetProperty("lastStatusCode", out _).Should().BeFalse();
        }
        receiver.Received.Should().BeEmpty("no connection reaches a private address");
        (await MetricAsync(client, "refused")).Should().Be(3);
    }

    [Theory]
    [InlineData("ftp://example.com/hook")]
    [InlineData("/relative/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not a url")]
    [InlineData("")]
    public async Task A_callbackUrl_that_is_not_absolute_http_or_https_is_422_and_stores_nothing(string callbackUrl)
    {
        await using var api = Api();
        var client = api.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/submissions", new { problemId = "add-two", code = "x = 1", callbackUrl });
        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").GetProperty("callbackUrl")[0].GetString().Should().Be("must be an absolute http or https URL");
        (await api.Services.GetRequiredService<IJudgeStore>().GetQueueCountsAsync()).Should().Be(new QueueCounts(0, 0));
    }

    [Fact]
    public async Task A_Judge0_callback_url_gets_Judge0s_PUT_with_the_default_fields_in_base64_signed_like_v1()
    {
        await using var receiver = await WebhookReceiver.StartAsync(n => n == 0 ? 502 : 200);
        await using var api = Api();
        var client = api.CreateClient();
        var created = await client.PostAsync("/judge0/submissions", JudgeApiFactory.Json(
            $$"""{"source_code": "print(input())", "language_id": 71, "stdin": "judge0", "callback_url": "{{receiver.Url}}judge0"}"""));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();

        var received = await receiver.WaitForAsync(2);
        received.Should().OnlyContain(r => r.Method == "PUT" && r.PathAndQuery == "/judge0");
        received.Should().OnlyContain(r => r.Header("webhook-signature") == WebhookReceiver.ExpectedSignature(Secret, r));
        received.Select(r => r.Header("webhook-id")).Distinct().Should().ContainSingle();
        var body = JsonDocument.Parse(received[1].Body).RootElement;
        body.EnumerateObject().Select(p => p.Name).Should().Equal("stdout", "time", "memory", "stderr", "token", "compile_output", "message", "status");
        body.GetProperty("token").GetString().Should().Be(token);
        Encoding.UTF8.GetString(Convert.FromBase64String(body.GetProperty("stdout").GetString()!)).Should().Be("judge0");
        body.GetProperty("status").GetProperty("id").GetInt32().Should().Be(3);
    }

    [Fact]
    public async Task The_OpenAPI_document_shows_callbackUrl_and_the_webhook_delivery()
    {
        await using var api = Api();
        var schemas = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement
            .GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("SubmissionRequest").GetProperty("properties").TryGetProperty("callbackUrl", out _).Should().BeTrue();
        schemas.GetProperty("SubmissionView").GetProperty("properties").TryGetProperty("webhook", out _).Should().BeTrue();
        schemas.GetProperty("WebhookView").GetProperty("properties").EnumerateObject().Select(p => p.Name).Should()
            .Contain(["status", "attempts", "lastStatusCode", "lastError", "deliveredAt"]);
    }
}
