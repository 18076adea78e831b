using Judge.Api.Auth;
using Judge.Worker;
using Microsoft.AspNetCore.Diagnostics;

namespace Judge.Api.Compat;

/// <summary>
/// What the two compatibility surfaces share: keys checked as the candidate endpoints check them but refused in the
/// surface's own shape, request and run counts, and responses that must stay exactly as written (no problem details
/// added to an empty error).
/// </summary>
internal static class CompatSurface
{
    /// <summary>Counts every request of the group (by route pattern and final status code) and checks the key first.</summary>
    public static RouteGroupBuilder WithCompatBasics(this RouteGroupBuilder group, string surface, Func<HttpContext, bool, IResult> refuse,
        Func<HttpContext, string, Task> writeRejection)
    {
        group.WithMetadata(new RejectionBody(writeRejection));
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unknown";
            var metrics = http.RequestServices.GetRequiredService<JudgeMetrics>();
            http.Response.OnCompleted(() =>
            {
                metrics.CompatRequests.WithLabels(surface, route, http.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
                return Task.CompletedTask;
            });
            if (!ApiKeys.IsCandidate(http.User, http))
                return refuse(http, http.User.Identity?.IsAuthenticated == true);
            return await next(context);
        });
        return group;
    }

    /// <summary>Text as Ruby's and Node's JSON write it: apostrophes, non-ASCII and the like as themselves.</summary>
    public static readonly System.Text.Encodings.Web.JavaScriptEncoder WireEncoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>A status code with an empty body, as Rails' <c>head</c> answers: status-code pages must not fill it in.</summary>
    public static IResult Empty(int statusCode) => new EmptyResult(statusCode);

    /// <summary>JSON written as given (no camelCase, nulls kept), with the surface's own status code.</summary>
    public static IResult Json(System.Text.Json.Nodes.JsonNode? body, int statusCode = StatusCodes.Status200OK) =>
        new RawJsonResult(body, statusCode);

    sealed class EmptyResult(int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            if (http.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            http.Response.StatusCode = statusCode;
            return Task.CompletedTask;
        }
    }

    sealed class RawJsonResult(System.Text.Json.Nodes.JsonNode? body, int statusCode) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = statusCode;
            http.Response.ContentType = "application/json; charset=utf-8";
            await using var writer = new System.Text.Json.Utf8JsonWriter(http.Response.Body, new System.Text.Json.JsonWriterOptions { Encoder = WireEncoder });
            if (body is null) writer.WriteNullValue();
            else body.WriteTo(writer);
            await writer.FlushAsync(http.RequestAborted);
        }
    }

    /// <summary>A request body read as JSON whatever its Content-Type (a common Piston client sends none).</summary>
    public static async Task<BodyRead> ReadJsonAsync(HttpRequest request, long maxBytes)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes) return new BodyRead(null, null, TooLarge: true);
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        if (bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return new BodyRead(null, null, false);
        try
        {
            return new BodyRead(System.Text.Json.Nodes.JsonNode.Parse(bytes, documentOptions: new() { MaxDepth = 64 }), null, false);
        }
        catch (System.Text.Json.JsonException e)
        {
            return new BodyRead(null, e.Message, false);
        }
    }
}

/// <summary>A request body: its JSON (null when empty), or why it is not JSON, or that it is larger than any valid request.</summary>
public sealed record BodyRead(System.Text.Json.Nodes.JsonNode? Json, string? Malformed, bool TooLarge);
