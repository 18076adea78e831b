using System.Text.Json.Nodes;
using Judge.Core.Grading;
using Judge.Core.Problems;
using Judge.Core.Values;

namespace Judge.Core.Tests;

public class CheckerTests
{
    static PyValue P(string json) => TaggedJson.Parse(JsonNode.Parse(json), allowUnrepresentable: true);

    static string? Exact(string expected, string actual) => Checkers.Exact(P(expected), P(actual)).Difference;

    [Theory]
    [InlineData("[1, 2, 3, 5]", "[1, 2, 3, 6]", "index 3: expected 5, got 6")]
    [InlineData("""{"$tuple": [1, 2]}""", "[1, 2]", "expected tuple, got list")]
    [InlineData("""{"a": 1}""", """{"a": 2}""", "key 'a': expected 1, got 2")]
    [InlineData("""{"a": 1}""", """{"b": 1}""", "missing key 'a'")]
    [InlineData("""{"a": 1}""", """{"a": 1, "b": 1}""", "unexpected key 'b'")]
    [InlineData("""{"$set": [1, 4]}""", """{"$set": [1]}""", "missing element 4")]
    [InlineData("""{"$set": [1]}""", """{"$set": [1, 7]}""", "unexpected element 7")]
    [InlineData("1", "true", "expected 1 (int), got True (bool)")]
    [InlineData("1", "1.0", "expected 1 (int), got 1.0 (float)")]
    [InlineData("[1, 2]", "[1]", "index 1: missing element 2 (expected 2 elements, got 1)")]
    [InlineData("[1]", "[1, 2]", "index 1: unexpected extra element 2 (expected 1 elements, got 2)")]
    [InlineData("""[{"a": [1, {"$tuple": []}]}]""", """[{"a": [1, []]}]""", "index 0: key 'a': index 1: expected tuple, got list")]
    public void Exact_reports_where_values_differ(string expected, string actual, string difference) =>
        Exact(expected, actual).Should().Be(difference);

    [Theory]
    [InlineData("""{"$set": [1, 2]}""", """{"$set": [2, 1]}""")]
    [InlineData("""{"a": 1, "b": [2]}""", """{"b": [2], "a": 1}""")]
    [InlineData("""{"$float": "nan"}""", """{"$float": "nan"}""")]
    [InlineData("""{"$dict": [[1, "x"], [2, "y"]]}""", """{"$dict": [[2, "y"], [1, "x"]]}""")]
    public void Exact_accepts_equal_values(string expected, string actual) => Exact(expected, actual).Should().BeNull();

    [Fact]
    public void Unrepresentable_actual_names_its_type()
    {
        var d = Exact("""{"a": 1}""", """{"$unrepresentable": "Counter"}""");
        d.Should().StartWith("expected dict, got a Counter object, which cannot be returned as data");
    }

    [Fact]
    public void Long_strings_report_the_first_differing_character()
    {
        var a = new string('x', 60) + "abc";
        var b = new string('x', 60) + "abd";
        Checkers.Exact(new PyStr(a), new PyStr(b)).Difference.Should().StartWith("at character 62:");
    }

    [Theory]
    [InlineData("0.3", "0.30000000000000004", 1e-9, true)]
    [InlineData("1", "1.0000000001", 1e-9, true)]
    [InlineData("1e12", "1000000000001.0", 1e-9, true)]
    [InlineData("[0.5, [1.0]]", "[0.5, [1.1]]", 1e-6, false)]
    [InlineData("0.5", "0.51", 0.1, true)]
    [InlineData("1", "true", 1e-9, false)]
    public void Float_uses_absolute_or_relative_tolerance(string expected, string actual, double tolerance, bool passes) =>
        Checkers.Float(P(expected), P(actual), tolerance).Passed.Should().Be(passes);

    [Fact]
    public void Float_difference_names_index_and_tolerance() =>
        Checkers.Float(P("[0.5, 1.0]"), P("[0.5, 1.5]")).Difference.Should().Be("index 1: expected 1.0, got 1.5 (tolerance 1e-09)");

    [Fact]
    public void Unordered_compares_a_multiset()
    {
        Checkers.Unordered(P("[1, 2, 2, 3]"), P("[2, 3, 2, 1]")).Passed.Should().BeTrue();
        Checkers.Unordered(P("[1, 2, 2]"), P("[2, 1, 1]")).Difference.Should().Be("missing element 2");
        Checkers.Unordered(P("[1, 2]"), P("[2, 1, 7]")).Difference.Should().Be("unexpected element 7");
        Checkers.Unordered(P("""{"$tuple": [1, 2]}"""), P("[2, 1]")).Difference.Should().Be("expected tuple, got list");
    }

    [Fact]
    public void Exact_stdout_reports_lines()
    {
        Checkers.ExactText("a\nx\n", "a\ny\n").Difference.Should().Be("line 2: expected 'x', got 'y'");
        Checkers.ExactText("a\n", "a").Difference.Should().Be("expected 1 trailing newline(s), got 0");
        Checkers.ExactText("a\nb\nc", "a\nb").Difference.Should().Be("line 3: expected 'c', got end of output");
        Checkers.ExactText("a", "a\nzz").Difference.Should().Be("line 2: unexpected extra line 'zz'");
    }

    [Fact]
    public void Text_ignores_trailing_whitespace_and_blank_lines()
    {
        Checkers.Text("a\nb\n", "a  \nb\t\n\n\n").Passed.Should().BeTrue();
        Checkers.Text("a\nb", " a\nb").Difference.Should().Be("line 1: expected 'a', got ' a'");
    }

    [Fact]
    public void Tokens_ignore_whitespace_layout()
    {
        Checkers.Tokens("1 2\n3", "1\n2   3\n").Passed.Should().BeTrue();
        Checkers.Tokens("1 2 3", "1 2 4").Difference.Should().Be("token 3: expected '3', got '4'");
        Checkers.Tokens("1 2", "1").Difference.Should().Be("token 2: expected '2', got end of output");
    }

    [Fact]
    public void Regex_matches_the_whole_output_without_its_trailing_newline()
    {
        Checkers.Regex(@"took \d+ ms", "took 15 ms\n").Passed.Should().BeTrue();
        Checkers.Regex(@"took \d+", "took 15 ms\n").Passed.Should().BeFalse();
        Checkers.Regex(@"a", "a\n\n").Passed.Should().BeFalse();
    }

    [Fact]
    public void Checkers_dispatch_by_kind()
    {
        Checkers.CompareValue(CheckerKind.Text, P("[1]"), P("[1]")).Passed.Should().BeTrue();
        Checkers.CompareValue(CheckerKind.Float, P("1.0"), P("1.05"), 0.1).Passed.Should().BeTrue();
        Checkers.CompareStdout(CheckerKind.Float, "a\n", "a").Passed.Should().BeFalse();
        Checkers.CompareStdout(CheckerKind.Tokens, "a b", "a\nb").Passed.Should().BeTrue();
    }
}
