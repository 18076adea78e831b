using Judge.Sandbox;

namespace Judge.Core.Grading;

/// <summary>The snake_case names verdicts and run statuses have on the wire and in messages.</summary>
public static class WireNames
{
    /// <summary><c>wrong_answer</c>, <c>time_limit_exceeded</c>, ...</summary>
    public static string ToSnakeCase(this Verdict verdict) => Snake(verdict.ToString());

    /// <summary><c>ok</c>, <c>runtime_error</c>, ...</summary>
    public static string ToSnakeCase(this RunStatus status) => Snake(status.ToString());

    static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
