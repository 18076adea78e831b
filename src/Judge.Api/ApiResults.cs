using Microsoft.AspNetCore.Http.HttpResults;

namespace Judge.Api;

/// <summary>The RFC 7807 responses the endpoints return as values.</summary>
internal static class ApiResults
{
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors, string title = "The request is invalid") =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status422UnprocessableEntity, Title = title });

    public static ProblemHttpResult Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");

    /// <summary>The answer to a request the workers did not answer: queue full or timed out (503), this client has too
    /// many pending (429); null when it was answered.</summary>
    public static ProblemHttpResult? Refused(HttpContext http, RequestOutcome outcome, Judge.Worker.QueueOptions queue) => outcome switch
    {
        RequestOutcome.QueueFull => Unavailable(http, "The queue is full; retry later.", queue.RetryAfterSeconds),
        RequestOutcome.TimedOut => Unavailable(http, "No worker took the request in time; retry later.", queue.RetryAfterSeconds),
        RequestOutcome.ClientBusy => TooMany(http,
            $"This client already has {queue.MaxPendingRequestsPerClient} runs queued or running; retry when one has finished.", queue.RetryAfterSeconds),
        _ => null,
    };

    public static ProblemHttpResult TooMany(HttpContext http, string detail, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
    }

    public static ProblemHttpResult Unavailable(HttpContext http, string detail, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString();
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
    }
}
