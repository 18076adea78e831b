namespace Judge.Core.Problems;

/// <summary>The problems Judge serves: those loaded from problems/ plus those created through the API. Thread-safe.</summary>
public sealed class ProblemCatalog
{
    readonly Lock gate = new();
    readonly Dictionary<string, Problem> problems = new(StringComparer.Ordinal);

    public ProblemCatalog() { }

    public ProblemCatalog(IEnumerable<Problem> initial)
    {
        foreach (var p in initial) problems[p.Id] = p;
    }

    public int Count
    {
        get { lock (gate) return problems.Count; }
    }

    public bool TryGet(string id, out Problem problem)
    {
        lock (gate)
        {
            if (problems.TryGetValue(id, out var p))
            {
                problem = p;
                return true;
            }
        }
        problem = null!;
        return false;
    }

    /// <summary>Ordered by topic, then id (ordinal).</summary>
    public IReadOnlyList<Problem> List(string? topic = null, Difficulty? difficulty = null)
    {
        Problem[] snapshot;
        lock (gate) snapshot = [.. problems.Values];
        return snapshot
            .Where(p => (topic is null || p.Topic == topic) && (difficulty is null || p.Difficulty == difficulty))
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Adds or replaces; returns true when it replaced an existing problem.</summary>
    public bool Upsert(Problem problem)
    {
        lock (gate)
        {
            var replaced = problems.ContainsKey(problem.Id);
            problems[problem.Id] = problem;
            return replaced;
        }
    }

    public bool Remove(string id)
    {
        lock (gate) return problems.Remove(id);
    }
}
