using System.Text.Json;
using System.Text.Json.Nodes;
using Judge.Api.Auth;
using Judge.Api.Submissions;
using Judge.Worker;
using Judge.Storage;
using Judge.Core.Problems;
using Judge.Core.Validation;
using Judge.Sandbox;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Judge.Api.Problems;

public sealed record ProblemSummary(string Id, string Title, string Topic, Difficulty Difficulty, IReadOnlyList<string> Tags);

public sealed record LimitsView(int TimeMs, int MemoryMb);

/// <summary>A visible test as the candidate sees it. Expect is absent when it is computed from the reference solution.</summary>
public sealed record VisibleTest(
    string Name, string? Setup, string? Expr, string? Stdin, JsonNode? Expect, string? Raises, string? Stdout,
    CheckerKind Checker, double? Tolerance, string? Concept);

/// <summary>What a candidate may see of a problem: never hidden tests, the reference solution, mutants or the takeaway.</summary>
public sealed record ProblemView(
    string Id, string Title, string Topic, Difficulty Difficulty, IReadOnlyList<string> Tags, string Statement, string Starter,
    LimitsView Limits, RunMode Mode, IReadOnlyList<VisibleTest> Tests, int HiddenTests)
{
    /// <summary>Quality-bar warnings from validation (POST responses only): the problem is valid but could be better.</summary>
    public IReadOnlyList<string>? Warnings { get; init; }

    public static ProblemView From(Problem p) => new(
        p.Id, p.Title, p.Topic, p.Difficulty, p.Tags, p.Statement, p.Starter, new LimitsView(p.Limits.TimeMs, p.Limits.MemoryMb), p.Mode,
        [.. p.Tests.Where(t => !t.Hidden).Select(t => new VisibleTest(
            t.Name, t.Setup, t.Expr, t.Stdin, t.HasExpect ? t.Expect?.DeepClone() : null, t.Raises, t.Stdout, t.Checker, t.Tolerance, t.Concept))],
        p.Tests.Count(t => t.Hidden));
}

internal static class ProblemsApi
{
    public static RouteGroupBuilder MapProblems(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/problems").WithTags("Problems");

        group.MapGet("/", List).RequireAuthorization(ApiKeys.CandidatePolicy).RequireRateLimiting(ApiKeys.ReadLimit)
            .WithSummary("List problem summaries, optionally filtered by topic and difficulty")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/{id}", Get).RequireAuthorization(ApiKeys.CandidatePolicy).RequireRateLimiting(ApiKeys.ReadLimit)
            .WithSummary("A problem: statement, starter, limits and visible tests")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/", CreateOrReplace).RequireAuthorization(ApiKeys.AdminPolicy)
            .WithSummary("Create or replace a problem (admin); the document is validated by grading its solution, starter and mutants")
            .Accepts<JsonObject>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id}", Delete).RequireAuthorization(ApiKeys.AdminPolicy)
            .WithSummary("Delete a problem created through the API (admin)")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    static Results<Ok<ProblemSummary[]>, ValidationProblem> List(ProblemCatalog catalog, string? topic, string? difficulty)
    {
        Difficulty? level = null;
        if (!string.IsNullOrEmpty(difficulty))
        {
            if (!Enum.TryParse<Difficulty>(difficulty, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["difficulty"] = ["must be easy, medium or hard"] });
            level = parsed;
        }
        return TypedResults.Ok(catalog.List(string.IsNullOrEmpty(topic) ? null : topic, level)
            .Select(p => new ProblemSummary(p.Id, p.Title, p.Topic, p.Difficulty, p.Tags)).ToArray());
    }

    static Results<Ok<ProblemView>, ProblemHttpResult> Get(ProblemCatalog catalog, string id) =>
        catalog.TryGet(id, out var problem) ? TypedResults.Ok(ProblemView.From(problem)) : ApiResults.NotFound($"No problem '{id}'.");

    static async Task<Results<Created<ProblemView>, Ok<ProblemView>, ProblemHttpResult>> CreateOrReplace(
        JsonElement document, HttpContext http, ProblemCatalog catalog, IJudgeStore store, CatalogSync sync, PendingRequests pending,
        IOptions<LimitsOptions> limits, IOptions<QueueOptions> queue, CancellationToken ct)
    {
        var json = document.GetRawText();
        var parsed = ProblemLoader.ParseJson(json);
        if (!parsed.Ok)
            return Invalid(parsed.Errors.Count > 0 ? parsed.Errors : [new ProblemError("", "not a problem document")]);
        var problem = parsed.Problem! with { Source = CatalogSync.ApiSource };

        var existed = catalog.TryGet(problem.Id, out var existing);
        if (existed && existing.Source != CatalogSync.ApiSource)
            return FromFolder(problem.Id, "changed");

        // Validation grades the solution, starter and mutants: sandbox work, so the workers do it.
        var answer = await pending.AskAsync<ValidationOutcome>(
            JobKind.Validation, ApiKeys.ClientId(http), document, TimeSpan.FromSeconds(limits.Value.ValidationSeconds), ct);
        if (ApiResults.Refused(http, answer.Outcome, queue.Value) is { } refused) return refused;
        var outcome = answer.Result!;
        if (outcome.Report is not { } report) return Invalid(outcome.ParseErrors);
        if (!report.Valid) return Invalid(report.Errors);

        await store.SaveProblemAsync(problem.Id, json, ct);
        await sync.ApplyChangesAsync(ct);
        var view = ProblemView.From(problem) with { Warnings = report.Warnings.Count > 0 ? report.Warnings : null };
        return existed ? TypedResults.Ok(view) : TypedResults.Created($"/v1/problems/{problem.Id}", view);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string id, ProblemCatalog catalog, IJudgeStore store, CatalogSync sync, CancellationToken ct)
    {
        if (!catalog.TryGet(id, out var problem)) return ApiResults.NotFound($"No problem '{id}'.");
        if (problem.Source != CatalogSync.ApiSource) return FromFolder(id, "removed");
        await store.DeleteProblemAsync(id, ct);
        await sync.ApplyChangesAsync(ct);
        return TypedResults.NoContent();
    }

    static ProblemHttpResult FromFolder(string id, string what) =>
        TypedResults.Problem($"Problem '{id}' comes from the problems folder and can only be {what} there.",
            statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    static ProblemHttpResult Invalid(IReadOnlyList<ProblemError> errors) =>
        ApiResults.Invalid(errors.GroupBy(e => e.Field.Length == 0 ? "document" : e.Field)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()), "The problem document is invalid");
}
