using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Judge.Core.Grading;
using Judge.Core.Values;
using Judge.Sandbox;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

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
public static partial class ProblemLoader
{
    public static LoadResult LoadYamlFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LoadResult(null, [new ProblemError("document", $"cannot read the file: {e.Message}", path)]);
        }
        return ParseYaml(text, path);
    }

    /// <summary>Parses one YAML document; <paramref name="fileName"/> appears in errors and becomes <see cref="Problem.Source"/> ("api" without it).</summary>
    public static LoadResult ParseYaml(string yaml, string? fileName = null) => ParseYaml(yaml, fileName, null).Result;

    static (LoadResult Result, Builder? Builder) ParseYaml(string yaml, string? fileName, (string Topic, string Id)? expected)
    {
        YamlStream stream = [];
        DocNode root;
        try
        {
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1)
                return (Fail(fileName, null, stream.Documents.Count == 0 ? "empty document" : "more than one YAML document in the file"), null);
            root = DocTree.FromYaml(stream.Documents[0].RootNode);
        }
        catch (YamlException e)
        {
            var message = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            return (Fail(fileName, (int)e.Start.Line, $"invalid YAML: {message}"), null);
        }
        catch (DocException e)
        {
            return (Fail(fileName, e.Line, e.Message), null);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (without a position) on some malformed flow collections.
            return (Fail(fileName, null, $"invalid YAML: {e.Message}"), null);
        }
        var builder = new Builder(fileName ?? "api", fileName, DocTree.YamlValue, json: false);
        var problem = builder.Build(root, expected);
        return (new LoadResult(builder.Errors.Count == 0 ? problem : null, builder.Errors), builder);
    }

    /// <summary>The same document as JSON; values in the tagged JSON form. Unknown fields are rejected, as in YAML.</summary>
    public static LoadResult ParseJson(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 128, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return Fail(null, null, $"invalid JSON{(e.LineNumber is { } l ? $" at line {l + 1}" : "")}: {e.Message}");
        }
        var builder = new Builder("api", null, JsonValueOf, json: true);
        var problem = builder.Build(DocTree.FromJson(node), null);
        return new LoadResult(builder.Errors.Count == 0 ? problem : null, builder.Errors);
    }

    /// <summary>
    /// The whole problem (solution and mutants included: for storage, never for candidates) as the JSON document
    /// <see cref="ParseJson"/> reads back; optional fields at their defaults are left out.
    /// </summary>
    public static JsonObject ToJsonDocument(Problem problem)
    {
        var doc = new JsonObject
        {
            ["id"] = problem.Id, ["title"] = problem.Title, ["topic"] = problem.Topic,
            ["difficulty"] = problem.Difficulty.ToString().ToLowerInvariant(),
            ["tags"] = new JsonArray(problem.Tags.Select(t => (JsonNode?)t).ToArray()),
            ["statement"] = problem.Statement,
        };
        if (problem.Takeaway is not null) doc["takeaway"] = problem.Takeaway;
        doc["starter"] = problem.Starter;
        doc["solution"] = problem.Solution;
        doc["mutants"] = new JsonArray(problem.Mutants.Select(m => (JsonNode?)new JsonObject { ["name"] = m.Name, ["code"] = m.Code }).ToArray());
        doc["limits"] = new JsonObject { ["timeMs"] = problem.Limits.TimeMs, ["memoryMb"] = problem.Limits.MemoryMb };
        doc["mode"] = problem.Mode.ToString().ToLowerInvariant();
        if (problem.Isolation != Isolation.Batch) doc["isolation"] = problem.Isolation.ToString().ToLowerInvariant();
        doc["tests"] = new JsonArray(problem.Tests.Select(t =>
        {
            var o = new JsonObject { ["name"] = t.Name };
            if (t.Setup is not null) o["setup"] = t.Setup;
            if (t.Expr is not null) o["expr"] = t.Expr;
            if (t.HasExpect) o["expect"] = t.Expect?.DeepClone();
            if (t.Raises is not null) o["raises"] = t.Raises;
            if (t.Stdout is not null) o["stdout"] = t.Stdout;
            if (t.Stdin is not null) o["stdin"] = t.Stdin;
            if (t.Checker != CheckerKind.Exact) o["checker"] = t.Checker.ToString().ToLowerInvariant();
            if (t.Tolerance is { } tol) o["tolerance"] = tol;
            if (t.Hidden) o["hidden"] = true;
            if (t.Concept is not null) o["concept"] = t.Concept;
            return (JsonNode?)o;
        }).ToArray());
        return doc;
    }

    static PyValue JsonValueOf(DocNode node)
    {
        try
        {
            return TaggedJson.Parse(node.Source as JsonNode);
        }
        catch (ValueFormatException e)
        {
            throw new DocException(null, $"{e.Reason} (at {e.Path})");
        }
    }

    /// <summary>Every *.yaml under <paramref name="folder"/>, recursively, in path order; duplicate ids are errors.</summary>
    /// <remarks>A file at <c>&lt;topic&gt;/&lt;id&gt;.yaml</c> must declare that topic and id.</remarks>
    public static IReadOnlyList<LoadResult> LoadFolder(string folder)
    {
        var results = new List<LoadResult>();
        var firstFile = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var parts = Path.GetRelativePath(folder, file).Split(Path.DirectorySeparatorChar);
            (string, string)? expected = parts.Length == 2 ? (parts[0], Path.GetFileNameWithoutExtension(parts[1])) : null;
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                results.Add(new LoadResult(null, [new ProblemError("document", $"cannot read the file: {e.Message}", file)]));
                continue;
            }
            var (result, builder) = ParseYaml(text, file, expected);
            if (result.Problem is { } p && !firstFile.TryAdd(p.Id, file))
                result = new LoadResult(null, [new ProblemError("id", $"duplicate id '{p.Id}' (first defined in {firstFile[p.Id]})", file, builder?.LineOf("id"))]);
            results.Add(result);
        }
        return results;
    }

    static LoadResult Fail(string? file, int? line, string message) => new(null, [new ProblemError("document", message, file, line)]);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")] internal static partial Regex SlugRx();
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")] private static partial Regex ExceptionNameRx();

    static readonly string[] ProblemFields =
        ["id", "title", "topic", "difficulty", "tags", "statement", "takeaway", "starter", "solution", "mutants", "limits", "mode", "isolation", "tests"];
    static readonly string[] TestFields =
        ["name", "setup", "expr", "expect", "raises", "stdout", "stdin", "checker", "tolerance", "hidden", "concept"];
    static readonly string[] MutantFields = ["name", "code"];
    static readonly string[] LimitFields = ["timeMs", "memoryMb"];

    /// <summary>Builds a <see cref="Problem"/> from a document tree, collecting every error it finds.</summary>
    sealed class Builder(string source, string? file, Func<DocNode, PyValue> toValue, bool json)
    {
        public List<ProblemError> Errors { get; } = [];
        readonly Dictionary<string, int?> _topLines = [];

        public int? LineOf(string field) => _topLines.GetValueOrDefault(field);

        void Error(string field, int? line, string message) => Errors.Add(new ProblemError(field, message, file, line));

        public Problem? Build(DocNode root, (string Topic, string Id)? expected)
        {
            if (root is not DocMap map)
            {
                Error("document", root.Line, "expected a mapping of problem fields");
                return null;
            }
            var f = Fields(map, "", ProblemFields);
            foreach (var (k, v) in f) _topLines[k] = v.Line;

            var id = Str(f, "id", "id", required: true);
            if (id is not null && !SlugRx().IsMatch(id)) Error("id", f["id"].Line, $"'{id}' is not a slug (lowercase letters and digits in words joined by '-')");
            var title = Str(f, "title", "title", required: true);
            var topic = Str(f, "topic", "topic", required: true);
            if (topic is not null && !SlugRx().IsMatch(topic)) Error("topic", f["topic"].Line, $"'{topic}' is not a slug");
            if (expected is { } ex)
            {
                if (topic is not null && topic != ex.Topic) Error("topic", f["topic"].Line, $"'{topic}' does not match the folder '{ex.Topic}'");
                if (id is not null && id != ex.Id) Error("id", f["id"].Line, $"'{id}' does not match the file name '{ex.Id}.yaml'");
            }
            var difficulty = Enum(f, "difficulty", "difficulty", Difficulty.Easy);
            var tags = StrList(f, "tags", "tags");
            var statement = Str(f, "statement", "statement", required: true);
            var takeaway = Str(f, "takeaway", "takeaway");
            var starter = Str(f, "starter", "starter", required: true);
            var solution = Str(f, "solution", "solution", required: true);
            var mutants = Mutants(f);
            var limits = Limits(f);
            var mode = Enum(f, "mode", "mode", RunMode.Function);
            var isolation = Enum(f, "isolation", "isolation", Isolation.Batch);
            var tests = Tests(f, mode);

            if (Errors.Count > 0) return null;
            return new Problem
            {
                Id = id!, Title = title!, Topic = topic!, Difficulty = difficulty, Tags = tags, Statement = statement!,
                Takeaway = takeaway, Starter = starter!, Solution = solution!, Mutants = mutants, Limits = limits,
                Mode = mode, Isolation = isolation, Tests = tests, Source = source,
            };
        }

        /// <summary>The fields of a mapping by name; unknown, duplicate and non-string keys are errors.</summary>
        Dictionary<string, DocNode> Fields(DocMap map, string prefix, string[] allowed)
        {
            var result = new Dictionary<string, DocNode>(StringComparer.Ordinal);
            foreach (var e in map.Entries)
            {
                var key = e.KeyText;
                if (key is null) Error(prefix.TrimEnd('.') is { Length: > 0 } p ? p : "document", e.Key.Line, "field names must be strings");
                else if (!allowed.Contains(key)) Error(prefix + key, e.Key.Line, $"unknown field{Suggest(key, allowed)}");
                else if (!result.TryAdd(key, e.Value)) Error(prefix + key, e.Key.Line, "duplicate field");
            }
            return result;
        }

        static string Suggest(string key, string[] allowed)
        {
            var best = allowed.MinBy(a => Distance(key.ToLowerInvariant(), a.ToLowerInvariant()))!;
            return Distance(key.ToLowerInvariant(), best.ToLowerInvariant()) <= 2
                ? $": did you mean '{best}'?"
                : $" (allowed: {string.Join(", ", allowed)})";
        }

        static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (var j = 0; j <= b.Length; j++) d[0, j] = j;
            for (var i = 1; i <= a.Length; i++)
                for (var j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }

        int? LineIn(Dictionary<string, DocNode> f, string key) => f.TryGetValue(key, out var n) ? n.Line : null;

        string? Str(Dictionary<string, DocNode> f, string key, string path, bool required = false, int? parentLine = null)
        {
            if (!f.TryGetValue(key, out var node) || node is DocScalar { Type: ScalarType.Null })
            {
                if (required) Error(path, node?.Line ?? parentLine, "required");
                return null;
            }
            // YAML: any scalar's text is a string here (stdout: 42); JSON: strings only.
            if (node is DocScalar s && (!json || s.Type == ScalarType.Str) && s.Type != ScalarType.Bytes) return s.Text;
            Error(path, node.Line, "expected a string");
            return null;
        }

        bool Bool(Dictionary<string, DocNode> f, string key, string path)
        {
            if (!f.TryGetValue(key, out var node) || node is DocScalar { Type: ScalarType.Null }) return false;
            if (node is DocScalar { Type: ScalarType.Bool } s) return s.Text is "true" or "True" or "TRUE";
            Error(path, node.Line, "expected true or false");
            return false;
        }

        T Enum<T>(Dictionary<string, DocNode> f, string key, string path, T fallback) where T : struct, System.Enum
        {
            var text = Str(f, key, path);
            if (text is null) return fallback;
            var names = System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
            if (names.Contains(text)) return System.Enum.Parse<T>(text, ignoreCase: true);
            Error(path, f[key].Line, $"unknown {key} '{text}' ({string.Join(", ", names)})");
            return fallback;
        }

        IReadOnlyList<string> StrList(Dictionary<string, DocNode> f, string key, string path)
        {
            if (!f.TryGetValue(key, out var node) || node is DocScalar { Type: ScalarType.Null }) return [];
            if (node is not DocSeq seq)
            {
                Error(path, node.Line, "expected a list of strings");
                return [];
            }
            var list = new List<string>();
            for (var i = 0; i < seq.Items.Count; i++)
            {
                if (seq.Items[i] is DocScalar { Type: ScalarType.Str } s && s.Text.Length > 0) list.Add(s.Text);
                else Error($"{path}[{i}]", seq.Items[i].Line, "expected a non-empty string");
            }
            return list;
        }

        IEnumerable<(int Index, Dictionary<string, DocNode> Fields, int? Line)> MapList(Dictionary<string, DocNode> f, string key, string[] allowed)
        {
            if (!f.TryGetValue(key, out var node) || node is DocScalar { Type: ScalarType.Null }) yield break;
            if (node is not DocSeq seq)
            {
                Error(key, node.Line, "expected a list");
                yield break;
            }
            for (var i = 0; i < seq.Items.Count; i++)
            {
                if (seq.Items[i] is DocMap m) yield return (i, Fields(m, $"{key}[{i}].", allowed), m.Line);
                else Error($"{key}[{i}]", seq.Items[i].Line, "expected a mapping");
            }
        }

        List<Mutant> Mutants(Dictionary<string, DocNode> f)
        {
            var mutants = new List<Mutant>();
            var names = new Dictionary<string, int?>();
            foreach (var (i, m, line) in MapList(f, "mutants", MutantFields))
            {
                var name = Str(m, "name", $"mutants[{i}].name", required: true, parentLine: line);
                var code = Str(m, "code", $"mutants[{i}].code", required: true, parentLine: line);
                if (name is not null && !names.TryAdd(name, LineIn(m, "name")))
                    Error($"mutants[{i}].name", LineIn(m, "name"), $"duplicate mutant name '{name}'");
                if (name is not null && code is not null) mutants.Add(new Mutant(name, code));
            }
            return mutants;
        }

        ResourceLimits Limits(Dictionary<string, DocNode> f)
        {
            if (!f.TryGetValue("limits", out var node) || node is DocScalar { Type: ScalarType.Null }) return ResourceLimits.Default;
            if (node is not DocMap map)
            {
                Error("limits", node.Line, "expected a mapping {timeMs, memoryMb}");
                return ResourceLimits.Default;
            }
            var l = Fields(map, "limits.", LimitFields);
            var time = Int(l, "timeMs", ResourceLimits.Default.TimeMs, ResourceLimits.MinTimeMs, ResourceLimits.MaxTimeMs);
            var memory = Int(l, "memoryMb", ResourceLimits.Default.MemoryMb, ResourceLimits.MinMemoryMb, ResourceLimits.MaxMemoryMb);
            return new ResourceLimits(time, memory);

            int Int(Dictionary<string, DocNode> m, string key, int fallback, int min, int max)
            {
                if (!m.TryGetValue(key, out var n) || n is DocScalar { Type: ScalarType.Null }) return fallback;
                if (n is DocScalar { Type: ScalarType.Int } s && DocTree.ParseInt(s.Text) is var v && v >= min && v <= max) return (int)v;
                Error($"limits.{key}", n.Line, $"expected an integer between {min} and {max}");
                return fallback;
            }
        }

        List<TestCase> Tests(Dictionary<string, DocNode> f, RunMode mode)
        {
            var tests = new List<TestCase>();
            var names = new Dictionary<string, int?>();
            if (!f.ContainsKey("tests")) Error("tests", null, "required");
            else if (f["tests"] is DocSeq { Items.Count: 0 } empty) Error("tests", empty.Line, "at least one test is required");
            foreach (var (i, t, line) in MapList(f, "tests", TestFields))
            {
                var p = $"tests[{i}].";
                var errorsBefore = Errors.Count;
                var name = Str(t, "name", p + "name", required: true, parentLine: line);
                if (name is not null && !names.TryAdd(name, LineIn(t, "name")))
                    Error(p + "name", LineIn(t, "name"), $"duplicate test name '{name}' (first at {(names[name] is { } l ? $"line {l}" : "an earlier test")})");
                var setup = Str(t, "setup", p + "setup");
                var expr = Str(t, "expr", p + "expr");
                var stdin = Str(t, "stdin", p + "stdin");
                var stdout = Str(t, "stdout", p + "stdout");
                var raises = Str(t, "raises", p + "raises");
                var concept = Str(t, "concept", p + "concept");
                var hidden = Bool(t, "hidden", p + "hidden");
                var checker = Enum(t, "checker", p + "checker", CheckerKind.Exact);
                JsonNode? expect = null;
                PyValue? expectValue = null;
                var hasExpect = t.TryGetValue("expect", out var expectNode);
                if (hasExpect)
                {
                    try
                    {
                        expectValue = toValue(expectNode!);
                        expect = TaggedJson.ToJson(expectValue);
                    }
                    catch (DocException e)
                    {
                        Error(p + "expect", e.Line ?? expectNode!.Line, e.Message);
                    }
                }
                double? tolerance = null;
                if (t.TryGetValue("tolerance", out var tolNode) && tolNode is not DocScalar { Type: ScalarType.Null })
                {
                    if (tolNode is DocScalar { Type: ScalarType.Int or ScalarType.Float } ts
                        && (ts.Type == ScalarType.Int ? (double)DocTree.ParseInt(ts.Text) : DocTree.ParseFloat(ts.Text)) is var tol
                        && double.IsFinite(tol) && tol >= 0)
                        tolerance = tol;
                    else Error(p + "tolerance", tolNode.Line, "expected a non-negative number");
                }

                // Structural rules: what the test runs and what it compares.
                var computed = !hasExpect && raises is null && stdout is null;
                if (raises is not null && !ExceptionNameRx().IsMatch(raises))
                    Error(p + "raises", LineIn(t, "raises"), $"'{raises}' is not an exception class name");
                if (hasExpect && raises is not null)
                    Error(p + "raises", LineIn(t, "raises"), "a test has either expect or raises, not both");
                if (hasExpect && expr is null)
                    Error(p + "expect", LineIn(t, "expect"), "expect compares the value of expr: give expr");
                if (mode == RunMode.Function && expr is null && setup is null)
                    Error(p + "expr", line, "required in function mode (or setup with raises or stdout)");
                else if (mode == RunMode.Function && expr is null && raises is null && stdout is null)
                    Error(p + "expr", line, "nothing to check: give expr, raises or stdout");
                if (tolerance is not null && checker != CheckerKind.Float)
                    Error(p + "tolerance", LineIn(t, "tolerance"), "tolerance applies to the float checker only");
                switch (checker)
                {
                    case CheckerKind.Float or CheckerKind.Unordered when expr is null || raises is not null:
                        Error(p + "checker", LineIn(t, "checker"), $"the {Lower(checker)} checker compares the value of expr: give expr (and no raises)");
                        break;
                    case CheckerKind.Unordered when expectValue is not null and not PyCollection { IsSequence: true }:
                        Error(p + "checker", LineIn(t, "checker"), "the unordered checker needs a list or tuple expect");
                        break;
                    case CheckerKind.Regex when stdout is null:
                        Error(p + "checker", LineIn(t, "checker"), "the regex checker matches printed output: give stdout (the pattern)");
                        break;
                    case CheckerKind.Regex when Checkers.RegexError(stdout) is { } rx:
                        Error(p + "stdout", LineIn(t, "stdout"), $"invalid regex: {rx}");
                        break;
                    case CheckerKind.Text or CheckerKind.Tokens when stdout is null && !computed:
                        Error(p + "checker", LineIn(t, "checker"), $"the {Lower(checker)} checker compares printed output: give stdout");
                        break;
                }
                if (Errors.Count == errorsBefore)
                    tests.Add(new TestCase
                    {
                        Name = name!, Setup = setup, Expr = expr, Stdin = stdin, Expect = expect, HasExpect = hasExpect,
                        Raises = raises, Stdout = stdout, Checker = checker, Tolerance = tolerance, Hidden = hidden, Concept = concept,
                    });
            }
            return tests;
        }

        static string Lower(CheckerKind k) => k.ToString().ToLowerInvariant();
    }
}
