namespace Judge.Core.Problems;

/// <summary>One error in a problem document: where (file and line when known) and which field.</summary>
public sealed record ProblemError(string Field, string Message, string? File = null, int? Line = null)
{
    public override string ToString() =>
        $"{(File is null ? "" : File + (Line is null ? ": " : $":{Line}: "))}{Field}: {Message}";
}

public sealed record LoadResult(Problem? Problem, IReadOnlyList<ProblemError> Errors)
{
    public bool Ok => Problem is not null && Errors.Count == 0;
}

/// <summary>Reads the problem document from YAML (problems/*.yaml) or JSON (POST /v1/problems).</summary>
public static class ProblemLoader
{
    public static LoadResult LoadYamlFile(string path) => throw new NotImplementedException();
    public static LoadResult ParseYaml(string yaml, string? fileName = null) => throw new NotImplementedException();
    public static LoadResult ParseJson(string json) => throw new NotImplementedException();
    /// <summary>Every *.yaml under <paramref name="folder"/>, recursively, in path order; duplicate ids are errors.</summary>
    public static IReadOnlyList<LoadResult> LoadFolder(string folder) => throw new NotImplementedException();
}
