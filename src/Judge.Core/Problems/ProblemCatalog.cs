namespace Judge.Core.Problems;

/// <summary>The problems Judge serves: those loaded from problems/ plus those created through the API. Thread-safe.</summary>
public sealed class ProblemCatalog
{
    readonly Lock _gate = new();
    readonly Dictionary<string, Problem> _problems = new(StringComparer.Ordinal);

    public ProblemCatalog() { }

    public ProblemCatalog(IEnumerable<Problem> initial)
    {
        foreach (var p in initial) _problems[p.Id] = p;
    }

    public int Count
    {
        get { lock (_gate) return _problems.Count; }
    }

    public bool TryGet(string id, out Problem problem)
    {
        lock (_gate)
        {
            if (_problems.TryGetValue(id, out var p))
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
        lock (_gate) snapshot = [.. _problems.Values];
        return snapshot
            .Where(p => (topic is null || p.Topic == topic) && (difficulty is null || p.Difficulty == difficulty))
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Adds or replaces; returns true when it replaced an existing problem.</summary>
    public bool Upsert(Problem problem)
    {
        lock (_gate)
        {
            var replaced = _problems.ContainsKey(problem.Id);
            _problems[problem.Id] = problem;
            return replaced;
        }
    }

    public bool Remove(string id)
    {
        lock (_gate) return _problems.Remove(id);
    }
}
