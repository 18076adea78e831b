using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Core.Values;
using Judge.Sandbox;
using Xunit.Abstractions;

namespace Judge.Core.Tests;

/// <summary>Tests that measure the process's CPU time run alone, so no other test's work is counted.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuMeasuredCollection
{
    public const string Name = "cpu measured";
}

/// <summary>
/// A run's value is whatever bytes the child wrote. Each hostile value below goes the whole trusted way — the frame's
/// JSON parsed as the pool parses it, decoded, compared by the checker, the difference rendered, the shown fields cut
/// as the API stores them — in well under a second of CPU (most take a few milliseconds; the bound leaves room for a
/// busy two-core machine), and never throws.
/// </summary>
[Collection(CpuMeasuredCollection.Name)]
public sealed class HostileValueTests(ITestOutputHelper output)
{
    const int ShownBytes = 16 * 1024;
    static readonly TimeSpan CpuBound = TimeSpan.FromSeconds(1);
    static readonly JsonDocumentOptions FrameOptions = new() { MaxDepth = 512 }; // RunClassifier's
    static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    sealed record Graded(TestOutcome Outcome, JsonNode? Expected, JsonNode? Actual, string? Difference, bool Truncated, TimeSpan Cpu)
    {
        public Verdict Verdict => Outcome.Verdict;
    }

    static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    static Graded Grade(string actualJson, string expectJson, CheckerKind checker = CheckerKind.Exact, double? tolerance = null) =>
        Grade(Encoding.UTF8.GetBytes(actualJson), JsonNode.Parse(expectJson, documentOptions: FrameOptions), checker, tolerance);

    /// <summary>
    /// Grades one test whose run returned <paramref name="frameValue"/> (raw UTF-8 JSON), as the pool and API would. The
    /// problem is graded once first with its own expected value, outside the measurement: a problem's expected values
    /// are decoded once per test (the grader keeps them), so the cost of a grading is that of the run's value.
    /// </summary>
    static Graded Grade(byte[] frameValue, JsonNode? expect, CheckerKind checker = CheckerKind.Exact, double? tolerance = null)
    {
        var problem = new Problem
        {
            Id = "p", Title = "P", Topic = "t", Statement = "s", Solution = "solution", Starter = "starter",
            Tests = [new TestCase { Name = "t", Expr = "f()", Expect = expect, HasExpect = true, Checker = checker, Tolerance = tolerance }],
        };
        new Grader(new FakeSandbox(_ => new RunResult { Status = RunStatus.Ok, Value = JsonNode.Parse("null") }))
            .GradeAsync(problem, "warm-up").GetAwaiter().GetResult();

        var started = ProcessCpu();
        var value = JsonNode.Parse(frameValue, documentOptions: FrameOptions);
        var sandbox = new FakeSandbox(_ => new RunResult { Status = RunStatus.Ok, Value = value, WallMs = 1 });
        var outcome = new Grader(sandbox).GradeAsync(problem, "candidate").GetAwaiter().GetResult().Tests[0];
        var expected = Shown.Value(outcome.Expected, ShownBytes, out var t1);
        var actual = Shown.Value(outcome.Actual, ShownBytes, out var t2);
        var difference = Shown.Text(outcome.Difference, ShownBytes, out var t3);
        var cpu = ProcessCpu() - started;
        return new Graded(outcome, expected, actual, difference, t1 || t2 || t3, cpu);
    }

    void ShouldBeCheapAndBounded(Graded g, string because)
    {
        output.WriteLine($"{g.Cpu.TotalMilliseconds,8:F1} ms CPU  {because}");
        g.Cpu.Should().BeLessThan(CpuBound, because);
        // A value is shown whole (its compact JSON within the budget) or as its cut repr (that text within it).
        foreach (var node in new[] { g.Expected, g.Actual })
            Encoding.UTF8.GetByteCount(node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString(Relaxed) ?? "")
                .Should().BeLessThanOrEqualTo(ShownBytes, because);
        Encoding.UTF8.GetByteCount(g.Difference ?? "").Should().BeLessThanOrEqualTo(ShownBytes, because);
    }

    static string Join(IEnumerable<string> items) => string.Join(",", items);
    static string Set(IEnumerable<string> items) => $$"""{"$set":[{{Join(items)}}]}""";
    static string FrozenSet(IEnumerable<string> items) => $$"""{"$frozenset":[{{Join(items)}}]}""";
    static string List(IEnumerable<string> items) => $"[{Join(items)}]";
    static string Bytes(byte[] b) => $$"""{"$bytes":"{{Convert.ToBase64String(b)}}"}""";
    static string Float(double d) => d.ToString("R", CultureInfo.InvariantCulture) is var s && s.AsSpan().IndexOfAny('.', 'E') < 0 ? s + ".0" : s;

    // ---- values that all collide under the hash this project used before -------------------------------------------

    /// <summary>The old PyEquality.Hash, kept here to show what it let a child do.</summary>
    static int OldHash(PyValue v) => v switch
    {
        PyNone => 1,
        PyBool b => b.Value ? 3 : 2,
        PyInt i => HashCode.Combine(PyKind.Int, i.Value),
        PyFloat f => HashCode.Combine(PyKind.Float, double.IsNaN(f.Value) ? double.NaN : f.Value == 0 ? 0.0 : f.Value),
        PyStr s => HashCode.Combine(PyKind.Str, s.Value),
        PyBytes b => HashCode.Combine(PyKind.Bytes, b.Value.Length, b.Value.Length > 0 ? b.Value[0] : 0),
        PyCollection c when c.IsSequence => c.Items.Aggregate((int)c.Kind, (h, x) => HashCode.Combine(h, OldHash(x))),
        PyCollection c => c.Items.Aggregate((int)c.Kind * 7919, (h, x) => unchecked(h + OldHash(x))),
        PyDict d => d.Items.Aggregate(17, (h, kv) => unchecked(h + HashCode.Combine(OldHash(kv.Key), OldHash(kv.Value)))),
        _ => 0,
    };

    /// <summary>Counts the equality checks a hash set makes: about n²/2 when every hash collides.</summary>
    sealed class CountingComparer(Func<PyValue, int> hash) : IEqualityComparer<PyValue>
    {
        public long Comparisons;

        public bool Equals(PyValue? x, PyValue? y)
        {
            Comparisons++;
            return PyEquality.Exact(x!, y!);
        }

        public int GetHashCode(PyValue v) => hash(v);
    }

    /// <summary>Byte strings of one length and first byte: the old hash looked at nothing else.</summary>
    static IEnumerable<string> CollidingBytes(int n) =>
        Enumerable.Range(0, n).Select(i => Bytes([(byte)'a', .. BitConverter.GetBytes(i), 0, 0, 0]));

    /// <summary>Floats whose two 32-bit halves are equal: double.GetHashCode (high ^ low) is 0 for every one.</summary>
    static IEnumerable<string> CollidingFloats(int n) =>
        Enumerable.Range(0, n).Select(i => Float(BitConverter.Int64BitsToDouble((long)(0x3FF00000u + (uint)i) << 32 | (0x3FF00000u + (uint)i))));

    /// <summary>Frozensets of frozensets that partition {0..9} into five blocks differently: the old hash summed
    /// element hashes, so all of them hashed the same.</summary>
    static IEnumerable<string> CollidingPartitions(int n)
    {
        var found = 0;
        foreach (var blocks in Partitions(Enumerable.Range(0, 10).ToList()).Where(p => p.Count == 5))
        {
            if (found++ == n) yield break;
            yield return FrozenSet(blocks.Select(b => FrozenSet(b.Select(x => x.ToString(CultureInfo.InvariantCulture)))));
        }
    }

    static IEnumerable<List<List<int>>> Partitions(List<int> items)
    {
        if (items.Count == 0)
        {
            yield return [];
            yield break;
        }
        foreach (var rest in Partitions(items[1..]))
        {
            yield return [[items[0]], .. rest];
            for (var i = 0; i < rest.Count; i++)
                yield return [.. rest.Take(i), [items[0], .. rest[i]], .. rest.Skip(i + 1)];
        }
    }

    public static TheoryData<string, int> CollidingFamilies => new()
    {
        { "bytes", 1500 },
        { "floats", 1500 },
        { "partitions", 300 },
    };

    static IEnumerable<string> Family(string name, int n) => name switch
    {
        "bytes" => CollidingBytes(n),
        "floats" => CollidingFloats(n),
        _ => CollidingPartitions(n),
    };

    [Theory]
    [MemberData(nameof(CollidingFamilies))]
    public void Values_that_all_collided_under_the_old_hash_are_spread_by_the_new_one(string family, int n)
    {
        var values = Family(family, n).Select(j => TaggedJson.Parse(JsonNode.Parse(j))).ToList();
        values.Select(OldHash).Distinct().Should().ContainSingle($"every {family} value collided under the old hash");

        var old = new CountingComparer(OldHash);
        _ = new HashSet<PyValue>(values, old);
        old.Comparisons.Should().BeGreaterThanOrEqualTo((long)n * (n - 1) / 2, "with one bucket, a set compares every pair");

        var current = new CountingComparer(v => v.GetHashCode());
        _ = new HashSet<PyValue>(values, current);
        current.Comparisons.Should().BeLessThan(n / 10, "keyed hashes leave a handful of chance collisions at most");
        values.Select(v => v.GetHashCode()).Distinct().Count().Should().BeGreaterThan(n * 99 / 100);
    }

    public static TheoryData<string, string, CheckerKind> CollidingContainers => new()
    {
        { "set of 50 000 byte strings", "bytes", CheckerKind.Exact },
        { "set of 50 000 floats", "floats", CheckerKind.Exact },
        { "list of 50 000 floats, unordered", "floats-list", CheckerKind.Unordered },
        { "dict of 33 000 float keys", "floats-dict", CheckerKind.Exact },
        { "set of 6 000 partitions into frozensets", "partitions", CheckerKind.Exact },
    };

    [Theory]
    [MemberData(nameof(CollidingContainers))]
    public void Containers_of_values_colliding_under_the_old_hash_grade_fast(string name, string family, CheckerKind checker)
    {
        var items = family switch
        {
            "bytes" => CollidingBytes(50_000).ToList(),
            "floats" or "floats-list" => CollidingFloats(50_000).ToList(),
            "floats-dict" => CollidingFloats(33_000).ToList(),
            _ => CollidingPartitions(6_000).ToList(),
        };
        string Encode(IEnumerable<string> xs) => family switch
        {
            "floats-list" => List(xs),
            "floats-dict" => $$"""{"$dict":[{{Join(xs.Select(x => $"[{x},1]"))}}]}""",
            _ => Set(xs),
        };
        var expect = Encode(items);

        var same = Grade(Encode(Enumerable.Reverse(items)), expect, checker);
        same.Verdict.Should().Be(Verdict.Accepted, name);
        ShouldBeCheapAndBounded(same, name);

        // One element replaced by one that is not expected: found, and said in a few words.
        var other = family == "partitions" ? FrozenSet([FrozenSet(["99"])]) : family == "bytes" ? Bytes([1, 2, 3]) : "0.5";
        var differs = Grade(Encode(items.Skip(1).Prepend(other)), expect, checker);
        differs.Verdict.Should().Be(Verdict.WrongAnswer, name);
        differs.Difference!.Length.Should().BeLessThan(300, name);
        differs.Truncated.Should().BeTrue("a value this large is shown cut");
        ShouldBeCheapAndBounded(differs, name);
    }

    // ---- depth ------------------------------------------------------------------------------------------------------

    static string Nest(string open, string close, int depth, string inner = "1") =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    public static TheoryData<string, string, string> DeepValues => new()
    {
        { "lists", "[", "]" },
        { "tuples", """{"$tuple":[""", "]}" },
        { "frozensets", """{"$frozenset":[""", "]}" },
        { "dicts", """{"k":""", "}" },
        { "dicts with int keys", """{"$dict":[[1,""", "]]}" },
    };

    [Theory]
    [MemberData(nameof(DeepValues))]
    public void Nesting_is_accepted_up_to_the_sandboxs_depth_and_refused_past_it(string name, string open, string close)
    {
        // 100 containers deep, as judge_values.encode allows: equal, different at the bottom, compared with a tolerance.
        var deepest = Nest(open, close, TaggedJson.MaxDepth);
        var equal = Grade(deepest, deepest);
        equal.Verdict.Should().Be(Verdict.Accepted, name);
        ShouldBeCheapAndBounded(equal, name);

        var differs = Grade(Nest(open, close, TaggedJson.MaxDepth, "2"), deepest, CheckerKind.Float, 1e-9);
        differs.Verdict.Should().Be(Verdict.WrongAnswer, name);
        ShouldBeCheapAndBounded(differs, name);

        var tooDeep = Grade(Nest(open, close, TaggedJson.MaxDepth + 1), deepest);
        tooDeep.Verdict.Should().Be(Verdict.InternalError, name);
        tooDeep.Difference.Should().Contain("malformed").And.Contain("deeper than 100");
        ShouldBeCheapAndBounded(tooDeep, name);
    }

    [Fact]
    public void Nesting_far_past_the_cap_neither_overflows_the_stack_nor_costs_time()
    {
        // As deep as the pool's parser allows, and far deeper when built in memory (a JsonNode from elsewhere).
        var parsed = Grade(Nest("[", "]", 500), "1");
        parsed.Verdict.Should().Be(Verdict.InternalError);
        ShouldBeCheapAndBounded(parsed, "500 levels");

        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < 100_000; i++) node = new JsonArray(node);
        var started = ProcessCpu();
        TaggedJson.TryParse(node, out _, out var error, allowUnrepresentable: true).Should().BeFalse();
        (ProcessCpu() - started).Should().BeLessThan(CpuBound);
        error.Should().Contain("deeper than 100");
    }

    // ---- big ints ---------------------------------------------------------------------------------------------------

    static string Digits(int n, char last = '7') => "9" + new string('3', n - 2) + last;

    [Fact]
    public void Ints_up_to_the_digit_cap_grade_fast_and_longer_ones_are_refused_before_parsing()
    {
        var max = Digits(TaggedJson.MaxIntDigits);
        var tagged = $$"""{"$int":"{{max}}"}""";
        var equal = Grade(tagged, tagged);
        equal.Verdict.Should().Be(Verdict.Accepted);
        equal.Truncated.Should().BeTrue();
        ShouldBeCheapAndBounded(equal, "100 000 digits");

        var differs = Grade($$"""{"$int":"{{Digits(TaggedJson.MaxIntDigits, '8')}}"}""", tagged);
        differs.Verdict.Should().Be(Verdict.WrongAnswer);
        differs.Difference.Should().StartWith("expected 9333");
        differs.Difference!.Length.Should().BeLessThan(200);
        ShouldBeCheapAndBounded(differs, "100 000 digits, different");

        // The same as a plain number token, and negative.
        Grade(max, tagged).Verdict.Should().Be(Verdict.Accepted);
        Grade($$"""{"$int":"-{{max}}"}""", $"-{max}").Verdict.Should().Be(Verdict.Accepted);

        foreach (var (json, what) in new[]
        {
            ($$"""{"$int":"{{Digits(TaggedJson.MaxIntDigits + 1)}}"}""", "100 001 digits"),
            ($$"""{"$int":"{{Digits(900_000)}}"}""", "900 000 digits (0.6 s to parse, 23 s to print back)"),
            (Digits(900_000), "900 000 digits as a plain token"),
            ($$"""{"$int":"+{{new string('0', 900_000)}}1"}""", "900 000 leading zeros"),
        })
        {
            var refused = Grade(json, "1");
            refused.Verdict.Should().Be(Verdict.InternalError, what);
            refused.Difference.Should().Contain("malformed", what);
            ShouldBeCheapAndBounded(refused, what);
        }
    }

    [Fact]
    public void Ten_ints_of_the_largest_size_fit_the_text_budget_and_eleven_do_not()
    {
        var ten = List(Enumerable.Range(0, 10).Select(i => $$"""{"$int":"{{Digits(TaggedJson.MaxIntDigits, (char)('0' + i))}}"}"""));
        var graded = Grade(ten, ten, CheckerKind.Unordered);
        graded.Verdict.Should().Be(Verdict.Accepted);
        ShouldBeCheapAndBounded(graded, "ten ints of 100 000 digits");

        var eleven = List(Enumerable.Range(0, 11).Select(i => $$"""{"$int":"{{Digits(TaggedJson.MaxIntDigits, (char)('0' + i % 10))}}"}"""));
        var refused = Grade(eleven, ten);
        refused.Verdict.Should().Be(Verdict.InternalError);
        refused.Difference.Should().Contain("characters of text");
        ShouldBeCheapAndBounded(refused, "eleven ints of 100 000 digits");
    }

    [Fact]
    public void Non_canonical_digit_strings_mean_their_value()
    {
        var v = TaggedJson.Parse(JsonNode.Parse("""{"$int": "+000123"}"""));
        v.Should().Be(new PyInt(123));
        TaggedJson.ToJson(v)!.ToJsonString().Should().Be("123");
        TaggedJson.Parse(JsonNode.Parse("""{"$int": "-0"}""")).ToString().Should().Be("0");
        PyRepr.Short(TaggedJson.Parse(JsonNode.Parse($$"""{"$int": "-000{{new string('5', 50)}}"}""")), 20).Should().Be("-5555555555555555...");
    }

    // ---- strings ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Strings_up_to_the_text_cap_grade_fast_and_longer_ones_are_refused()
    {
        var text = new string('a', TaggedJson.MaxChars - 1) + "b";
        var equal = Grade($"\"{text}\"", $"\"{text}\"");
        equal.Verdict.Should().Be(Verdict.Accepted);
        equal.Actual!.GetValue<string>().Should().StartWith("'aaaa").And.EndWith("...");
        ShouldBeCheapAndBounded(equal, "a million characters");

        var differs = Grade($"\"{text[..^1]}c\"", $"\"{text}\"");
        differs.Verdict.Should().Be(Verdict.WrongAnswer);
        differs.Difference.Should().Be("at character 999999: expected 'aaaaaaaaaab', got 'aaaaaaaaaac'");
        ShouldBeCheapAndBounded(differs, "a million characters, different at the end");

        // A million code points of astral characters are two million UTF-16 units: still within the cap.
        var astral = string.Concat(Enumerable.Repeat("\U0001F600", TaggedJson.MaxChars));
        ShouldBeCheapAndBounded(Grade($"\"{astral}\"", "\"x\""), "a million astral characters");

        var tooLong = Grade($"\"{text}x\"", "\"x\"");
        tooLong.Verdict.Should().Be(Verdict.InternalError);
        ShouldBeCheapAndBounded(tooLong, "a million and one characters");
    }

    // ---- many items -------------------------------------------------------------------------------------------------

    [Fact]
    public void Sets_dicts_and_lists_up_to_the_item_cap_compare_fast()
    {
        var n = TaggedJson.MaxItems - 1; // the container itself is one value
        var ints = Enumerable.Range(0, n).Select(i => (i * 7919L).ToString(CultureInfo.InvariantCulture)).ToList();
        foreach (var (actual, expect, checker, what) in new[]
        {
            (Set(Enumerable.Reverse(ints)), Set(ints), CheckerKind.Exact, "set of 99 999 ints"),
            (List(Enumerable.Reverse(ints)), List(ints), CheckerKind.Unordered, "list of 99 999 ints, unordered"),
            (List(ints), List(ints.Select(s => s + ".0")), CheckerKind.Float, "list of 99 999 numbers with a tolerance"),
            ($$"""{"$dict":[{{Join(ints.Take(n / 2).Reverse().Select(i => $"[{i},{i}]"))}}]}""",
             $$"""{"$dict":[{{Join(ints.Take(n / 2).Select(i => $"[{i},{i}]"))}}]}""", CheckerKind.Exact, "dict of 49 999 int keys"),
            ($$"""{{{Join(ints.Take(n / 2).Select(i => $"\"k{i}\":{i}"))}}}""",
             $$"""{{{Join(ints.Take(n / 2).Reverse().Select(i => $"\"k{i}\":{i}"))}}}""", CheckerKind.Exact, "dict of 49 999 str keys"),
        })
        {
            var graded = Grade(actual, expect, checker);
            graded.Verdict.Should().Be(Verdict.Accepted, what);
            ShouldBeCheapAndBounded(graded, what);
        }

        var tooMany = Grade(List(Enumerable.Repeat("0", TaggedJson.MaxItems)), "[]");
        tooMany.Verdict.Should().Be(Verdict.InternalError);
        tooMany.Difference.Should().Contain("more than 100000 values");
        ShouldBeCheapAndBounded(tooMany, "100 000 items in a list");
    }

    // ---- floats -----------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("""[{"$float":"nan"}]""", """[{"$float":"nan"}]""", CheckerKind.Exact, Verdict.Accepted)]
    [InlineData("""[{"$float":"nan"}]""", """[{"$float":"nan"}]""", CheckerKind.Float, Verdict.Accepted)]
    [InlineData("-0.0", "0.0", CheckerKind.Exact, Verdict.Accepted)]
    [InlineData("""{"$set":[-0.0]}""", """{"$set":[0.0]}""", CheckerKind.Exact, Verdict.Accepted)]
    [InlineData("""{"$set":[-0.0, 0.0]}""", """{"$set":[0.0]}""", CheckerKind.Exact, Verdict.InternalError)]
    [InlineData("""{"$float":"inf"}""", """{"$float":"inf"}""", CheckerKind.Float, Verdict.Accepted)]
    [InlineData("""{"$float":"-inf"}""", """{"$float":"inf"}""", CheckerKind.Float, Verdict.WrongAnswer)]
    [InlineData("""{"$float":"nan"}""", "1.0", CheckerKind.Float, Verdict.WrongAnswer)]
    [InlineData("1e999999", "1.0", CheckerKind.Exact, Verdict.InternalError)]
    [InlineData("""{"$int":"1"}""", "1.0", CheckerKind.Float, Verdict.Accepted)]
    public void Special_floats_keep_pythons_equalities(string actual, string expect, CheckerKind checker, Verdict verdict)
    {
        var graded = Grade(actual, expect, checker);
        graded.Verdict.Should().Be(verdict);
        ShouldBeCheapAndBounded(graded, actual);
    }

    [Fact]
    public void Equal_values_hash_equal()
    {
        PyValue P(string json) => TaggedJson.Parse(JsonNode.Parse(json));
        P("""{"$float":"nan"}""").GetHashCode().Should().Be(new PyFloat(BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001)).GetHashCode());
        P("-0.0").GetHashCode().Should().Be(P("0.0").GetHashCode());
        P("""{"$int":"9007199254740993"}""").GetHashCode().Should().Be(new PyInt(BigInteger.Parse("9007199254740993")).GetHashCode());
        P("""{"$set":[1,[2]]}""".Replace("[2]", """{"$tuple":[2]}""")).GetHashCode()
            .Should().Be(P("""{"$set":[{"$tuple":[2]},1]}""").GetHashCode());
        P("""{"b":1,"a":2}""").GetHashCode().Should().Be(P("""{"a":2,"b":1}""").GetHashCode());
        P("""{"$bytes":"YWJj"}""").GetHashCode().Should().Be(new PyBytes("abc"u8.ToArray()).GetHashCode());
    }

    // ---- bytes the sandbox's encoder never writes -------------------------------------------------------------------

    public static TheoryData<string, byte[]> RawFrames()
    {
        byte[] U(string s) => Encoding.UTF8.GetBytes(s);
        var longKey = new string('k', 500_000);
        return new TheoryData<string, byte[]>
        {
            { "duplicate keys", U("""{"a":1,"a":2}""") },
            { "duplicate keys deep inside", U("""[[{"$tuple":[{"x":1,"x":1}]}]]""") },
            { "invalid UTF-8 in a string", [(byte)'[', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)']'] },
            { "an escaped lone surrogate", U("""["\ud800"]""") },
            { "full-width digits", U("""{"$int":"１２３"}""") },
            { "digits with spaces", U("""{"$int":" 12"}""") },
            { "an int tag holding a number", U("""{"$int":12}""") },
            { "two tags", U("""{"$tuple":[],"$set":[]}""") },
            { "an unknown tag with a long name", U($$"""{"${{new string('t', 500_000)}}":1}""") },
            { "an unexpected key with a long name", U($$"""{"$tuple":[],"{{new string('x', 500_000)}}":1}""") },
            { "an unrepresentable marker with a long name", U($$"""{"$unrepresentable":"{{new string('N', 900_000)}}","reason":"{{new string('r', 10_000)}}"}""") },
            { "a long key above a bad value deep in a big list", U($$"""{"{{longKey}}":[{{string.Concat(Enumerable.Repeat("0,", 40_000))}}{"$bad":1}]}""") },
            { "a set holding a list", U("""{"$set":[[1]]}""") },
            { "a dict pair of three", U("""{"$dict":[[1,2,3]]}""") },
            { "base64 with garbage", U("""{"$bytes":"@@@@"}""") },
            { "a float tag holding NaN spelled otherwise", U("""{"$float":"NaN"}""") },
            { "a 500 KB float token", U("0." + new string('1', 500_000)) },
            { "a number too big for a double", U("1" + new string('0', 400) + ".0") },
        };
    }

    [Theory]
    [MemberData(nameof(RawFrames))]
    public void Frames_the_encoder_never_writes_are_refused_or_shown_cut_cheaply(string name, byte[] frame)
    {
        var graded = Grade(frame, JsonValue.Create(1));
        graded.Verdict.Should().BeOneOf([Verdict.InternalError, Verdict.WrongAnswer], name);
        graded.Difference.Should().NotBeNullOrEmpty(name);
        graded.Difference!.Length.Should().BeLessThan(2_000, name);
        ShouldBeCheapAndBounded(graded, name);
    }

    static readonly byte[] Syntax = "[]{}\",:$0e.-\\"u8.ToArray();

    [Fact]
    public void Mutated_frames_never_throw_and_each_grades_fast()
    {
        string[] corpus =
        [
            """{"$set":[1,2.5,"a",{"$tuple":[1,{"$bytes":"YWJj"}]},{"$frozenset":[{"$int":"123456789012345678901"}]}]}""",
            """{"$dict":[[{"$tuple":[1,2]},{"a":[null,true,false]}],["$k",{"$float":"nan"}]]}""",
            """[[1,[2,[3,[4,{"x":{"$float":"-inf"}}]]]],{"$unrepresentable":"gen","reason":"too deep"}]""",
        ];
        var random = new Random(20_261_202);
        var expected = JsonNode.Parse(corpus[0]);
        var worst = TimeSpan.Zero;
        var decoded = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(corpus[random.Next(corpus.Length)]).ToList();
            for (var m = random.Next(1, 4); m > 0 && bytes.Count > 0; m--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(5))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes.RemoveAt(at); break;
                    case 2: bytes.Insert(at, Syntax[random.Next(Syntax.Length)]); break;
                    case 3: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(bytes.Count - at, random.Next(1, 40)))); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
            }
            var frame = bytes.ToArray();
            try
            {
                JsonNode.Parse(frame, documentOptions: FrameOptions);
            }
            catch (JsonException)
            {
                continue; // the pool reports "no result" for these; nothing reaches the decoder
            }
            decoded++;
            foreach (var checker in new[] { CheckerKind.Exact, CheckerKind.Unordered, CheckerKind.Float })
            {
                var graded = Grade(frame, expected, checker, 1e-6);
                graded.Verdict.Should().BeOneOf([Verdict.Accepted, Verdict.WrongAnswer, Verdict.InternalError]);
                if (graded.Cpu > worst) worst = graded.Cpu;
            }
        }
        decoded.Should().BeGreaterThan(300, "enough mutants are still JSON to exercise the decoder");
        worst.Should().BeLessThan(CpuBound);
    }
}
