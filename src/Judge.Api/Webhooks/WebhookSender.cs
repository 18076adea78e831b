using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Judge.Api.Compat;
using Judge.Api.Compat.Judge0;
using Judge.Api.Submissions;
using Judge.Core;
using Judge.Storage;
using Judge.Worker;

namespace Judge.Api.Webhooks;

/// <summary>
/// Sends the webhook outbox: claims due deliveries with a lease (several API nodes may run a sender; a delivery whose
/// sender died is taken again after its lease), sends each once with a timeout, and records the attempt: delivered on
/// 2xx; on a timeout, a connection error, 5xx or 429 retried after an exponential backoff with full jitter (or the
/// receiver's Retry-After, when longer) until <see cref="WebhookOptions.MaxAttempts"/>; given up at once on any other
/// answer (a redirect or 4xx will not change) and on a refused target. The outbox is durable, so nothing waiting for
/// an attempt is lost when a node stops or is killed.
/// </summary>
public sealed class WebhookSender(
    IJudgeStore store, WebhookSigner signer, JudgeMetrics metrics, IOptions<WebhookOptions> options, IOptions<NodeOptions> node,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string V1Surface = "v1";

    readonly WebhookOptions _options = options.Value;
    readonly string _senderId = node.Value.EffectiveNodeId + "/webhooks";
    readonly HttpClient _client = new(WebhookTargets.CreateHandler(options.Value)) { Timeout = Timeout.InfiniteTimeSpan };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!signer.HasDefaultSecret) logger.LogWarning("Webhooks:SigningSecret is not set: deliveries are sent unsigned");
        if (_options.AllowPrivateTargets) logger.LogWarning("Webhooks:AllowPrivateTargets is on: deliveries may reach private and loopback addresses");
        var poll = TimeSpan.FromMilliseconds(_options.PollMilliseconds);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                IReadOnlyList<WebhookDelivery> due;
                try
                {
                    due = await store.ClaimDueWebhooksAsync(_senderId, _options.BatchSize, _options.Lease, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Claiming webhook deliveries failed: {Error}", e.Message);
                    due = [];
                }
                if (due.Count == 0) await Task.Delay(poll, stoppingToken);
                else await Task.WhenAll(due.Select(d => AttemptAsync(d, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    enum Outcome { Delivered, Retry, Failed, Refused }

    async Task AttemptAsync(WebhookDelivery delivery, CancellationToken stopping)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["WebhookId"] = delivery.Id, ["SourceId"] = delivery.SourceId });
        try
        {
            var (outcome, code, error, retryAfter) = await SendAsync(delivery, stopping);
            var attempt = delivery.Attempts + 1;
            if (outcome == Outcome.Retry && attempt >= _options.MaxAttempts) outcome = Outcome.Failed;
            DateTimeOffset? next = outcome == Outcome.Retry ? DateTimeOffset.UtcNow + Backoff(attempt, retryAfter) : null;
            await store.RecordWebhookAttemptAsync(delivery, new WebhookAttempt(outcome == Outcome.Delivered, code, error, next), CancellationToken.None);
            metrics.WebhookDeliveries.WithLabels(outcome switch
            {
                Outcome.Delivered => "delivered", Outcome.Retry => "retried", Outcome.Refused => "refused", _ => "failed",
            }).Inc();
            if (outcome != Outcome.Delivered)
                logger.LogWarning("Webhook attempt {Attempt} to {Target} {Result}: {Error}", attempt, Target(delivery.Url),
                    outcome == Outcome.Retry ? $"failed, retrying at {next:O}" : "failed, given up", error);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping mid-attempt: nothing is recorded; the lease expires and a sender takes the delivery again.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Webhook delivery {WebhookId} could not be attempted; its lease will expire", delivery.Id);
        }
    }

    async Task<(Outcome, int?, string?, TimeSpan?)> SendAsync(WebhookDelivery delivery, CancellationToken stopping)
    {
        var body = await BodyAsync(delivery, stopping);
        if (body is null) return (Outcome.Failed, null, "the submission no longer exists", null);
        using var request = new HttpRequestMessage(delivery.Surface == Judge0Api.Surface ? HttpMethod.Put : HttpMethod.Post, delivery.Url)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var webhookId = delivery.Id.ToString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        if (signer.Sign(delivery.ClientId, webhookId, timestamp, body) is { } signature) request.Headers.Add("webhook-signature", signature);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Judge-Webhooks", "1"));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            if (code is >= 200 and < 300) return (Outcome.Delivered, code, null, null);
            var retryAfter = response.Headers.RetryAfter is { } ra
                ? ra.Delta ?? (ra.Date is { } date ? date - DateTimeOffset.UtcNow : null)
                : null;
            if (code is 429 or >= 500) return (Outcome.Retry, code, $"HTTP {code}", retryAfter);
            return (Outcome.Failed, code, code is >= 300 and < 400 ? $"HTTP {code}: redirects are not followed" : $"HTTP {code}", null);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (Outcome.Retry, null, $"no answer within {_options.TimeoutSeconds} s", null);
        }
        catch (Exception e) when (WebhookTargets.IsRefusal(e, out var reason))
        {
            return (Outcome.Refused, null, "target refused: " + reason, null);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            return (Outcome.Retry, null, "connection failed: " + e.Message, null);
        }
    }

    /// <summary>What the receiver gets: for /v1 the submission view as GET /v1/submissions/{id} returns it (without its
    /// own webhook status, so every attempt sends the same bytes); for Judge0 what Judge0 1.13.1 PUTs: the default
    /// fields with base64_encoded=true.</summary>
    async Task<byte[]?> BodyAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        switch (delivery.Surface)
        {
            case V1Surface:
                return await store.GetSubmissionAsync(delivery.SourceId, ct) is { } submission
                    ? JsonSerializer.SerializeToUtf8Bytes(SubmissionView.From(submission), JudgeJson.Options)
                    : null;
            case Judge0Api.Surface:
                if (await Judge0Submissions.GetAsync(store, delivery.SourceId, ct) is not { } s) return null;
                var fields = Judge0Json.DefaultFields.ToHashSet();
                var json = Judge0Json.Serialize(s, fields, base64: true, PythonRuntime.Fallback)!; // base64: never null
                using (var buffer = new MemoryStream())
                {
                    await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = CompatSurface.WireEncoder }))
                        json.WriteTo(writer);
                    return buffer.ToArray();
                }
            default:
                return null;
        }
    }

    TimeSpan Backoff(int attemptsMade, TimeSpan? retryAfter)
    {
        var bound = Math.Min(_options.MaxBackoffSeconds, _options.InitialBackoffSeconds * Math.Pow(2, attemptsMade - 1));
        var wait = TimeSpan.FromSeconds(Random.Shared.NextDouble() * bound); // full jitter
        var max = TimeSpan.FromSeconds(_options.MaxBackoffSeconds);
        return retryAfter is { } asked && asked > wait ? (asked < max ? asked : max) : wait;
    }

    /// <summary>A URL for the log: scheme, host and path (a query may carry the receiver's token).</summary>
    static string Target(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "(invalid URL)";
}

public static class WebhooksSetup
{
    /// <summary>Webhook options (validated at start, secrets included) and, on API nodes, the sender.</summary>
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration("Webhooks").ValidateDataAnnotations()
            .Validate(o => o.SigningSecret.Length == 0 || WebhookSigner.IsValidSecret(o.SigningSecret),
                "Webhooks:SigningSecret must be whsec_ followed by base64 of at least 16 bytes")
            .Validate(o => o.ClientSecrets.All(c => c.ClientKey.Length > 0 && WebhookSigner.IsValidSecret(c.SigningSecret)),
                "every Webhooks:ClientSecrets entry needs a ClientKey and a SigningSecret of the form whsec_<base64 of at least 16 bytes>")
            .Validate(o => o.InitialBackoffSeconds <= o.MaxBackoffSeconds, "Webhooks:InitialBackoffSeconds must not exceed MaxBackoffSeconds")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookSigner>();
        builder.Services.AddHostedService<WebhookSender>();
        return builder;
    }
}
