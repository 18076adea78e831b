using System.Text.Json.Nodes;
using Judge.Sandbox;

namespace Judge.Core.Problems;

public enum Difficulty { Easy, Medium, Hard }

/// <summary>How a submission's tests are run: all in one child, each on a fresh module (batch, the default), or each in a
/// fresh child (process) for problems that change what a fresh module does not reset (sys, builtins, imported modules,
/// threads, the GIL's switch interval).</summary>
public enum Isolation { Batch, Process }

public enum CheckerKind { Exact, Float, Unordered, Text, Tokens, Regex }

public sealed record Mutant(string Name, string Code);

/// <summary>One test case. Values are in the tagged JSON form shared with the sandbox.</summary>
public sealed record TestCase
{
    public required string Name { get; init; }
    public string? Setup { get; init; }
    public string? Expr { get; init; }
    public string? Stdin { get; init; }
    /// <summary>Expected value; null with <see cref="HasExpect"/> false means "computed from the solution".</summary>
    public JsonNode? Expect { get; init; }
    public bool HasExpect { get; init; }
    public string? Raises { get; init; }
    public string? Stdout { get; init; }
    public CheckerKind Checker { get; init; } = CheckerKind.Exact;
    public double? Tolerance { get; init; }
    public bool Hidden { get; init; }
    public string? Concept { get; init; }
}

public sealed record Problem
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Topic { get; init; }
    public Difficulty Difficulty { get; init; } = Difficulty.Easy;
    public IReadOnlyList<string> Tags { get; init; } = [];
    public required string Statement { get; init; }
    public string Starter { get; init; } = "";
    public required string Solution { get; init; }
    /// <summary>One sentence on what the problem is really testing, shown after a solve.</summary>
    public string? Takeaway { get; init; }
    public IReadOnlyList<Mutant> Mutants { get; init; } = [];
    public ResourceLimits Limits { get; init; } = ResourceLimits.Default;
    public RunMode Mode { get; init; } = RunMode.Function;
    public Isolation Isolation { get; init; } = Isolation.Batch;
    public IReadOnlyList<TestCase> Tests { get; init; } = [];
    /// <summary>Where the problem came from: the YAML file path, or "api".</summary>
    public string Source { get; init; } = "";
    /// <summary>Which version of the problem this is: "api:N" for problems stored through the API (N counts its saves),
    /// "file:HASH" (of the file's text) for problems from the problems folder. Submissions record it.</summary>
    public string Version { get; init; } = "";
}
