using System.Security.Cryptography;
using System.Text;
using Judge.Api.Auth;
using Judge.Api.Webhooks;
using Judge.Storage;
using Judge.Worker;
using Judge.Core.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Judge.Api.Submissions;

internal static class SubmissionsApi
{
    public static RouteGroupBuilder MapSubmissions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/submissions").WithTags("Submissions").RequireAuthorization(ApiKeys.CandidatePolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/", Submit).RequireRateLimiting(ApiKeys.SubmitLimit)
            .WithSummary("Submit code for a problem: 202 and a Location to poll, or with wait=true 200 and the result once graded")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id:guid}", Get).RequireRateLimiting(ApiKeys.ReadLimit)
            .WithSummary("A submission: status, then verdict and per-test outcomes");
        return group;
    }

    static async Task<Results<Ok<SubmissionView>, Accepted<SubmissionView>, ProblemHttpResult>> Submit(
        SubmissionRequest request, [FromQuery] bool? wait, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        HttpContext http, ProblemCatalog catalog, IJudgeStore store, IOptions<LimitsOptions> limits, IOptions<QueueOptions> queueOptions)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.ProblemId)) errors["problemId"] = ["is required"];
        if (request.Code is null) errors["code"] = ["is required"];
        else if (request.Code.Contains('\0')) errors["code"] = ["must not contain NUL characters"];
        if (idempotencyKey is { Length: > 200 }) errors["Idempotency-Key"] = ["must be at most 200 characters"];
        if (request.CallbackUrl is not null && !WebhookTargets.IsAcceptable(request.CallbackUrl))
            errors["callbackUrl"] = [WebhookTargets.InvalidUrlMessage];
        if (errors.Count > 0) return ApiResults.Invalid(errors);
        if (Encoding.UTF8.GetByteCount(request.Code!) > limits.Value.MaxCodeBytes)
            return ApiResults.TooLarge($"code is larger than {limits.Value.MaxCodeBytes} bytes.");
        if (!catalog.TryGet(request.ProblemId!, out _)) return ApiResults.NotFound($"No problem '{request.ProblemId}'.");

        var clientId = ApiKeys.ClientId(http);
        // The callback is part of the request a key stands for (absent, the hash is what it was before callbacks).
        var hashed = request.ProblemId + "\n" + request.Code + (request.CallbackUrl is { } url ? "\n" + url : "");
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(hashed)));
        var key = string.IsNullOrEmpty(idempotencyKey) ? null : idempotencyKey;
        var callback = request.CallbackUrl is null ? null : new Callback(request.CallbackUrl, WebhookSender.V1Surface);
        var (outcome, submission) = await store.InsertSubmissionAsync(new NewSubmission(
            Guid.NewGuid(), clientId, request.ProblemId!, request.Code!, key, hash, DateTimeOffset.UtcNow, callback),
            queueOptions.Value.Capacity, http.RequestAborted);
        switch (outcome)
        {
            case InsertOutcome.QueueFull:
                return ApiResults.Unavailable(http, "The grading queue is full; retry later.", queueOptions.Value.RetryAfterSeconds);
            case InsertOutcome.Existing:
                return await RepeatAsync(submission!, hash, store, http.RequestAborted);
        }

        if (wait == true)
        {
            await store.WaitForCompletionAsync(submission!.Id, TimeSpan.FromSeconds(limits.Value.WaitSeconds), http.RequestAborted);
            if (await store.GetSubmissionAsync(submission.Id, http.RequestAborted) is { Status: SubmissionStatus.Completed } done)
                return TypedResults.Ok(await ViewAsync(done, store, http.RequestAborted));
        }
        return TypedResults.Accepted($"/v1/submissions/{submission!.Id}", await ViewAsync(submission!, store, http.RequestAborted));
    }

    /// <summary>The same key again: the same body gets the same submission, a different body is refused.</summary>
    static async Task<Results<Ok<SubmissionView>, Accepted<SubmissionView>, ProblemHttpResult>> RepeatAsync(
        SubmissionRecord earlier, string hash, IJudgeStore store, CancellationToken ct) =>
        earlier.RequestHash != hash
            ? ApiResults.Invalid("Idempotency-Key", "was already used with a different request body")
            : earlier.Status == SubmissionStatus.Completed
                ? TypedResults.Ok(await ViewAsync(earlier, store, ct))
                : TypedResults.Accepted($"/v1/submissions/{earlier.Id}", await ViewAsync(earlier, store, ct));

    static async Task<Results<Ok<SubmissionView>, ProblemHttpResult>> Get(Guid id, IJudgeStore store, CancellationToken ct) =>
        await store.GetSubmissionAsync(id, ct) is { } submission
            ? TypedResults.Ok(await ViewAsync(submission, store, ct))
            : ApiResults.NotFound($"No submission '{id}'.");

    /// <summary>The submission's view, with its webhook's delivery when it was made with a callback.</summary>
    static async Task<SubmissionView> ViewAsync(SubmissionRecord s, IJudgeStore store, CancellationToken ct) =>
        s.Callback is null
            ? SubmissionView.From(s)
            : SubmissionView.From(s) with { Webhook = WebhookView.From((await store.GetWebhookDeliveriesAsync(s.Id, ct)).LastOrDefault()) };
}
