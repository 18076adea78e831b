using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Judge.Api.Tests.Webhooks;

/// <summary>One request the receiver got, and the status it answered.</summary>
public sealed record ReceivedWebhook(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Answered)
{
    public string Text => Encoding.UTF8.GetString(Body);
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}

/// <summary>A webhook receiver inside the test: Kestrel on a loopback port, answering each request with the status
/// <c>answer</c> picks (given how many came before), recording everything.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication _app;

    WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Base URL with a trailing slash, e.g. http://127.0.0.1:40123/.</summary>
    public string Url { get; private set; } = "";

    public int Port => new Uri(Url).Port;

    public static async Task<WebhookReceiver> StartAsync(Func<int, int> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        var count = 0;
        app.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var status = answer(Interlocked.Increment(ref count) - 1);
            receiver.Received.Enqueue(new ReceivedWebhook(http.Request.Method, http.Request.Path + http.Request.QueryString,
                http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body.ToArray(), status));
            http.Response.StatusCode = status;
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";
        return receiver;
    }

    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Received.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Received.Count} of {count} webhooks arrived");
            await Task.Delay(20);
        }
        return [.. Received];
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>A fresh secret in the form Webhooks:SigningSecret takes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The Standard Webhooks signature, computed here from the documented algorithm (not with Judge's code):
    /// base64 HMAC-SHA256, keyed with the base64-decoded part of the secret, over "{id}.{timestamp}.{body}".</summary>
    public static string ExpectedSignature(string secret, ReceivedWebhook webhook)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{webhook.Header("webhook-id")}.{webhook.Header("webhook-timestamp")}.").Concat(webhook.Body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
