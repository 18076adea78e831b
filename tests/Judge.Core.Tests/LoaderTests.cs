using System.Numerics;
using Judge.Core.Problems;
using Judge.Core.Values;
using Judge.Sandbox;

namespace Judge.Core.Tests;

public class LoaderTests
{
    internal const string Valid = """
        id: add-two
        title: Add two numbers
        topic: basics
        difficulty: easy
        tags: [arithmetic]
        statement: |
          Write `add(a, b)`.
        takeaway: Functions return values.
        starter: |
          def add(a, b):
              raise NotImplementedError
        solution: |
          def add(a, b):
              return a + b
        mutants:
          - name: subtracts
            code: |
              def add(a, b):
                  return a - b
        tests:
          - name: small
            expr: add(1, 2)
            expect: 3
          - name: computed
            expr: add(10, 20)
            hidden: true
            concept: larger numbers
        """;

    static LoadResult Yaml(string yaml) => ProblemLoader.ParseYaml(yaml, "problems/basics/add-two.yaml");

    static string Replace(string from, string to)
    {
        Valid.Should().Contain(from);
        return Valid.Replace(from, to);
    }

    [Fact]
    public void Valid_document_loads_with_defaults()
    {
        var r = Yaml(Valid);
        r.Errors.Should().BeEmpty();
        var p = r.Problem!;
        p.Id.Should().Be("add-two");
        p.Difficulty.Should().Be(Difficulty.Easy);
        p.Tags.Should().Equal("arithmetic");
        p.Limits.Should().Be(new ResourceLimits(1000, 64));
        p.Mode.Should().Be(RunMode.Function);
        p.Source.Should().Be("problems/basics/add-two.yaml");
        p.Mutants.Should().ContainSingle().Which.Name.Should().Be("subtracts");
        p.Tests[0].Expect!.ToJsonString().Should().Be("3");
        p.Tests[0].HasExpect.Should().BeTrue();
        p.Tests[0].Checker.Should().Be(CheckerKind.Exact);
        p.Tests[1].HasExpect.Should().BeFalse();
        p.Tests[1].Hidden.Should().BeTrue();
        p.Tests[1].Concept.Should().Be("larger numbers");
    }

    [Theory]
    [InlineData("    expect: 3", "    expect: 3\n    checker: exactt", "tests[0].checker", 24,
        "unknown checker 'exactt' (exact, float, unordered, text, tokens, regex)")]
    [InlineData("difficulty: easy", "difficulty: simple", "difficulty", 4, "unknown difficulty 'simple' (easy, medium, hard)")]
    [InlineData("id: add-two", "id: Add_Two", "id", 1, "is not a slug")]
    [InlineData("    expect: 3", "    expect: 3\n    expcet: 4", "tests[0].expcet", 24, "unknown field: did you mean 'expect'?")]
    [InlineData("  - name: computed", "  - name: small", "tests[1].name", 24, "duplicate test name 'small' (first at line 21)")]
    [InlineData("title: Add two numbers\n", "", "title", null, "required")]
    [InlineData("    hidden: true", "    hidden: yes", "tests[1].hidden", 26, "expected true or false")]
    [InlineData("mutants:", "limits: {timeMs: 20000}\nmutants:", "limits.timeMs", 15, "between 50 and 10000")]
    [InlineData("mutants:", "mode: batch\nmutants:", "mode", 15, "unknown mode 'batch' (function, script)")]
    [InlineData("    expr: add(1, 2)\n", "", "tests[0].expect", 22, "expect compares the value of expr: give expr")]
    [InlineData("    expect: 3", "    expect: 3\n    raises: ValueError", "tests[0].raises", 24, "either expect or raises")]
    [InlineData("    expect: 3", "    expect: 3\n    tolerance: 0.1", "tests[0].tolerance", 24, "float checker only")]
    [InlineData("    expect: 3", "    expect: 3\n    checker: regex", "tests[0].checker", 24, "give stdout")]
    [InlineData("    expect: 3", "    expect: 3\n    checker: unordered", "tests[0].checker", 24, "list or tuple expect")]
    [InlineData("    expect: 3", "    expect: !tupel [3]", "tests[0].expect", 23, "unknown tag '!tupel' (!tuple, !set, !frozenset, !bytes)")]
    [InlineData("    expect: 3", "    expect: !set [[1], 2]", "tests[0].expect", 23, "unhashable set element of type list")]
    [InlineData("    expect: 3", "    expect: {[1]: 2}", "tests[0].expect", 23, "unhashable key")]
    [InlineData("    expect: 3", "    expect: 3\n    stdout: 'x('\n    checker: regex", "tests[0].stdout", 24, "invalid regex")]
    public void Errors_name_file_line_and_field(string from, string to, string field, int? line, string message)
    {
        var r = Yaml(Replace(from, to));
        r.Ok.Should().BeFalse();
        r.Problem.Should().BeNull();
        r.Errors.Should().Contain(e => e.Field == field && e.Message.Contains(message) && e.Line == line,
            "errors were: " + string.Join("; ", r.Errors));
        r.Errors.Should().OnlyContain(e => e.File == "problems/basics/add-two.yaml");
    }

    [Fact]
    public void Error_text_reads_file_line_field_message()
    {
        var r = Yaml(Replace("    expect: 3", "    expect: 3\n    checker: exactt"));
        r.Errors.Single().ToString().Should().Be(
            "problems/basics/add-two.yaml:24: tests[0].checker: unknown checker 'exactt' (exact, float, unordered, text, tokens, regex)");
    }

    [Fact]
    public void Invalid_yaml_reports_its_line()
    {
        var r = Yaml("id: x\ntitle: t\n  statement: y\n");
        var e = r.Errors.Should().ContainSingle().Subject;
        e.Field.Should().Be("document");
        e.Line.Should().Be(3);
        e.Message.Should().StartWith("invalid YAML");
        Yaml("id: x\ntitle: [unclosed\nstatement: y\n").Errors.Should().ContainSingle().Which.Message.Should().StartWith("invalid YAML");
        Yaml("").Errors.Should().ContainSingle().Which.Message.Should().Be("empty document");
        Yaml("- 1\n").Errors.Should().ContainSingle().Which.Message.Should().Be("expected a mapping of problem fields");
    }

    [Fact]
    public void Duplicate_fields_are_errors()
    {
        var r = Yaml(Replace("title: Add two numbers", "title: Add two numbers\ntitle: Again"));
        r.Errors.Should().ContainSingle().Which.Line.Should().Be(3);
    }

    [Fact]
    public void Several_errors_are_reported_together()
    {
        var r = Yaml(Replace("difficulty: easy", "difficulty: simple\nauthor: me"));
        r.Errors.Select(e => e.Field).Should().Contain(["difficulty", "author"]);
    }

    static PyValue Expect(string yamlValue)
    {
        var r = Yaml(Replace("    expect: 3", "    expect: " + yamlValue));
        r.Errors.Should().BeEmpty();
        return TaggedJson.Parse(r.Problem!.Tests[0].Expect);
    }

    [Theory]
    [InlineData("~", "None")]
    [InlineData("null", "None")]
    [InlineData("True", "True")]
    [InlineData("0x1f", "31")]
    [InlineData("0o17", "15")]
    [InlineData("-7", "-7")]
    [InlineData("1e3", "1000.0")]
    [InlineData(".5", "0.5")]
    [InlineData(".nan", "nan")]
    [InlineData("-.inf", "-inf")]
    [InlineData("'1.0'", "'1.0'")]
    [InlineData("\"true\"", "'true'")]
    [InlineData("yes", "'yes'")]
    [InlineData("!tuple [!tuple [1, 2], [3]]", "((1, 2), [3])")]
    [InlineData("!set [1, 2]", "{1, 2}")]
    [InlineData("!frozenset [1]", "frozenset({1})")]
    [InlineData("!bytes \"é\"", @"b'\xc3\xa9'")]
    [InlineData("{1: one, 2: two}", "{1: 'one', 2: 'two'}")]
    [InlineData("{$a: 1}", "{'$a': 1}")]
    [InlineData("!tuple []", "()")]
    [InlineData("!!str 12", "'12'")]
    [InlineData("", "None")]
    [InlineData("1.", "1.0")]
    [InlineData("+5", "5")]
    [InlineData("-0x1f", "'-0x1f'")]
    [InlineData("1_000", "'1_000'")]
    [InlineData("+.inf", "inf")]
    [InlineData(".NaN", "nan")]
    public void Yaml_values_follow_the_core_schema_and_tags(string yaml, string repr) =>
        Expect(yaml).ToString().Should().Be(repr);

    [Fact]
    public void Big_ints_keep_every_digit()
    {
        var v = Expect("123456789012345678901234567890");
        v.Should().BeOfType<PyInt>().Which.Value.Should().Be(BigInteger.Parse("123456789012345678901234567890"));
        Yaml(Replace("    expect: 3", "    expect: 123456789012345678901234567890")).Problem!.Tests[0].Expect!.ToJsonString()
            .Should().Be("""{"$int":"123456789012345678901234567890"}""");
    }

    [Fact]
    public void Nan_expect_travels_tagged()
    {
        Yaml(Replace("    expect: 3", "    expect: .nan")).Problem!.Tests[0].Expect!.ToJsonString().Should().Be("""{"$float":"nan"}""");
        Expect("1.0").Should().BeOfType<PyFloat>();
    }

    [Fact]
    public void Script_mode_tests_may_have_only_stdin()
    {
        var r = Yaml(Valid.Replace("tests:", "mode: script\ntests:")
            .Replace("    expr: add(1, 2)\n    expect: 3", "    stdin: \"1 2\"\n    stdout: \"3\\n\"\n    checker: tokens")
            .Replace("    expr: add(10, 20)", "    stdin: \"5 6\""));
        r.Errors.Should().BeEmpty();
        r.Problem!.Mode.Should().Be(RunMode.Script);
        r.Problem.Tests[0].Stdout.Should().Be("3\n");
        r.Problem.Tests[0].Checker.Should().Be(CheckerKind.Tokens);
        r.Problem.Tests[1].Stdin.Should().Be("5 6");
    }

    [Fact]
    public void Function_mode_test_needs_something_to_run()
    {
        var r = Yaml(Replace("    expr: add(10, 20)\n", "    stdin: x\n"));
        r.Errors.Should().Contain(e => e.Field == "tests[1].expr" && e.Message.StartsWith("required in function mode"));
    }

    [Fact]
    public void Json_documents_use_the_same_fields_and_tagged_values()
    {
        var r = ProblemLoader.ParseJson("""
            {"id": "pairs", "title": "Pairs", "topic": "basics", "statement": "s", "starter": "", "solution": "def f(): return (1, 2)",
             "limits": {"timeMs": 500},
             "tests": [{"name": "t", "expr": "f()", "expect": {"$tuple": [1, {"$int": "99999999999999999999"}]}, "hidden": true}]}
            """);
        r.Errors.Should().BeEmpty();
        r.Problem!.Source.Should().Be("api");
        r.Problem.Limits.Should().Be(new ResourceLimits(500, 64));
        TaggedJson.Parse(r.Problem.Tests[0].Expect).ToString().Should().Be("(1, 99999999999999999999)");
    }

    [Fact]
    public void Json_rejects_unknown_fields_bad_tags_and_wrong_types()
    {
        var r = ProblemLoader.ParseJson("""
            {"id": "pairs", "title": "Pairs", "topic": "basics", "statement": "s", "starter": "", "solution": "x", "colour": "red",
             "tests": [{"name": "t", "expr": "f()", "expect": [1, {"$tupl": []}], "hidden": "yes"}]}
            """);
        r.Ok.Should().BeFalse();
        r.Errors.Should().Contain(e => e.Field == "colour" && e.Message.StartsWith("unknown field"));
        r.Errors.Should().Contain(e => e.Field == "tests[0].expect" && e.Message.Contains("unknown tag '$tupl'") && e.Message.Contains("$[1]"));
        r.Errors.Should().Contain(e => e.Field == "tests[0].hidden");
        r.Errors.Should().OnlyContain(e => e.File == null && e.Line == null);
    }

    [Fact]
    public void Json_rejects_malformed_text_and_duplicate_fields()
    {
        ProblemLoader.ParseJson("{\"id\": ").Errors.Should().ContainSingle().Which.Message.Should().StartWith("invalid JSON");
        ProblemLoader.ParseJson("""{"id": "a", "id": "b"}""").Ok.Should().BeFalse();
    }

    [Fact]
    public void Folder_loading_checks_ids_topics_and_duplicates()
    {
        var root = Directory.CreateTempSubdirectory("judge-problems-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "basics"));
            Directory.CreateDirectory(Path.Combine(root, "more"));
            File.WriteAllText(Path.Combine(root, "basics", "add-two.yaml"), Valid);
            File.WriteAllText(Path.Combine(root, "more", "add-two.yaml"), Valid.Replace("topic: basics", "topic: more"));
            File.WriteAllText(Path.Combine(root, "more", "other.yaml"), Valid.Replace("topic: basics", "topic: more"));
            File.WriteAllText(Path.Combine(root, "more", "notes.txt"), "ignored");

            var results = ProblemLoader.LoadFolder(root);

            results.Should().HaveCount(3);
            results[0].Ok.Should().BeTrue();
            results[1].Errors.Should().ContainSingle().Which.Should().Match<ProblemError>(e =>
                e.Field == "id" && e.Line == 1 && e.Message.StartsWith("duplicate id 'add-two'") && e.File!.EndsWith("add-two.yaml"));
            results[2].Errors.Should().ContainSingle().Which.Message.Should().Be("'add-two' does not match the file name 'other.yaml'");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

public class JsonDocumentTests
{
    [Fact]
    public void A_problem_round_trips_through_its_json_document()
    {
        var yaml = LoaderTests.Valid
            .Replace("    expect: 3", "    expect: !tuple [3, !set [.nan], {1: !bytes x}]\n    checker: float\n    tolerance: 0x10\n    stdout: \"hi\\n\"")
            .Replace("tests:", "limits: {timeMs: 300}\nmode: script\ntests:");
        var original = ProblemLoader.ParseYaml(yaml, "f.yaml");
        original.Errors.Should().BeEmpty();

        var json = ProblemLoader.ToJsonDocument(original.Problem!).ToJsonString();
        var back = ProblemLoader.ParseJson(json);

        back.Errors.Should().BeEmpty();
        back.Problem.Should().BeEquivalentTo(original.Problem, o => o
            .Excluding(p => p!.Source)
            .Excluding(p => p!.Tests)
            .ComparingByMembers<Judge.Sandbox.ResourceLimits>());
        back.Problem!.Source.Should().Be("api");
        back.Problem.Tests.Select(t => t with { Expect = null }).Should().Equal(original.Problem!.Tests.Select(t => t with { Expect = null }));
        back.Problem.Tests[0].Expect!.ToJsonString().Should().Be(original.Problem.Tests[0].Expect!.ToJsonString());
        back.Problem.Tests[0].Tolerance.Should().Be(16);
    }
}
