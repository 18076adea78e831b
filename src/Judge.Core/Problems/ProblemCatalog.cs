namespace Judge.Core.Problems;

/// <summary>The problems Judge serves: those loaded from problems/ plus those created through the API. Thread-safe.</summary>
public sealed class ProblemCatalog
{
    public bool TryGet(string id, out Problem problem) => throw new NotImplementedException();
    public IReadOnlyList<Problem> List(string? topic = null, Difficulty? difficulty = null) => throw new NotImplementedException();
    /// <summary>Adds or replaces; returns true when it replaced an existing problem.</summary>
    public bool Upsert(Problem problem) => throw new NotImplementedException();
    public bool Remove(string id) => throw new NotImplementedException();
}
