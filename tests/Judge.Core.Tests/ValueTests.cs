using System.Numerics;
using System.Text.Json.Nodes;
using Judge.Core.Values;

namespace Judge.Core.Tests;

public class ValueTests
{
    static PyValue P(string json, bool allowUnrepresentable = false) =>
        TaggedJson.Parse(JsonNode.Parse(json), allowUnrepresentable);

    [Fact]
    public void Number_tokens_with_a_point_or_exponent_are_floats_others_ints()
    {
        P("1").Should().BeOfType<PyInt>();
        P("1.0").Should().BeOfType<PyFloat>();
        P("1e3").Should().BeOfType<PyFloat>().Which.Value.Should().Be(1000);
        P("-7").Should().BeOfType<PyInt>().Which.Value.Should().Be(new BigInteger(-7));
    }

    [Fact]
    public void In_memory_numbers_keep_their_clr_type()
    {
        TaggedJson.Parse(JsonValue.Create(1.0)).Should().BeOfType<PyFloat>();
        TaggedJson.Parse(JsonValue.Create(5L)).Should().BeOfType<PyInt>();
    }

    [Fact]
    public void Tags_decode_to_python_types()
    {
        P("""{"$int": "123456789012345678901234567890"}""").Should().BeOfType<PyInt>()
            .Which.Value.Should().Be(BigInteger.Parse("123456789012345678901234567890"));
        double.IsNaN(P("""{"$float": "nan"}""").Should().BeOfType<PyFloat>().Which.Value).Should().BeTrue();
        P("""{"$float": "-inf"}""").Should().BeOfType<PyFloat>().Which.Value.Should().Be(double.NegativeInfinity);
        P("""{"$tuple": [1, [2]]}""").Kind.Should().Be(PyKind.Tuple);
        P("""{"$frozenset": [1]}""").Kind.Should().Be(PyKind.FrozenSet);
        P("""{"$bytes": "YWJj"}""").Should().BeOfType<PyBytes>().Which.Value.Should().Equal("abc"u8.ToArray());
        var dict = P("""{"$dict": [[1, "one"], [{"$tuple": [1, 2]}, null]]}""").Should().BeOfType<PyDict>().Subject;
        dict.Items[1].Key.ToString().Should().Be("(1, 2)");
        P("""{"a": 1}""").Should().BeOfType<PyDict>().Which.Items[0].Key.Should().Be(new PyStr("a"));
    }

    [Theory]
    [InlineData("""[1, {"$tupel": []}]""", "$[1]", "unknown tag '$tupel'")]
    [InlineData("""{"$int": "12x"}""", "$[\"$int\"]", "decimal integer")]
    [InlineData("""{"$float": "NaN"}""", "$[\"$float\"]", "\"nan\"")]
    [InlineData("""{"$set": [[1], 2]}""", "$[\"$set\"][0]", "unhashable")]
    [InlineData("""{"$set": [1, 1]}""", "$[\"$set\"][1]", "duplicate set element 1")]
    [InlineData("""{"$dict": [[[1], 2]]}""", "$[\"$dict\"][0][0]", "unhashable key of type list")]
    [InlineData("""{"$tuple": [], "x": 1}""", "$", "unexpected key 'x'")]
    [InlineData("""{"a": {"$unrepresentable": "Counter"}}""", "$[\"a\"]", "not allowed")]
    [InlineData("""1e400""", "$", "out of float range")]
    public void Strict_parsing_names_the_path(string json, string path, string message)
    {
        var act = () => P(json);
        var e = act.Should().Throw<ValueFormatException>().Which;
        e.Path.Should().Be(path);
        e.Reason.Should().Contain(message);
    }

    [Fact]
    public void Unrepresentable_is_accepted_from_the_sandbox()
    {
        var v = P("""{"$unrepresentable": "Counter", "reason": "subclass of dict"}""", allowUnrepresentable: true);
        v.Should().BeOfType<PyUnrepresentable>().Which.TypeName.Should().Be("Counter");
    }

    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("42", "42")]
    [InlineData("9007199254740993", """{"$int":"9007199254740993"}""")]
    [InlineData("""{"$float": "inf"}""", """{"$float":"inf"}""")]
    [InlineData("""{"$dict": [["$x", 1]]}""", """{"$dict":[["$x",1]]}""")]
    [InlineData("""{"$dict": [["a", 1]]}""", """{"a":1}""")]
    [InlineData("""{"$set": [1, "a"]}""", """{"$set":[1,"a"]}""")]
    [InlineData("""[true, null, "s"]""", """[true,null,"s"]""")]
    public void Encoding_is_canonical(string input, string expected) =>
        TaggedJson.ToJson(P(input))!.ToJsonString().Should().Be(expected);

    [Fact]
    public void Equality_is_type_aware_and_order_insensitive_for_sets_and_dicts()
    {
        P("1").Should().NotBe(P("true"));
        P("1").Should().NotBe(P("1.0"));
        P("[1, 2]").Should().NotBe(P("""{"$tuple": [1, 2]}"""));
        P("""{"$set": [1, 2]}""").Should().Be(P("""{"$set": [2, 1]}"""));
        P("""{"a": 1, "b": 2}""").Should().Be(P("""{"b": 2, "a": 1}"""));
        P("""{"$float": "nan"}""").Should().Be(P("""{"$float": "nan"}"""));
    }

    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("1e16", "1e+16")]
    [InlineData("1e15", "1000000000000000.0")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("-2.5e-300", "-2.5e-300")]
    [InlineData("0.1", "0.1")]
    [InlineData("123.456", "123.456")]
    [InlineData("-0.0", "-0.0")]
    public void Float_repr_matches_python(string json, string repr) => P(json).ToString().Should().Be(repr);

    [Theory]
    [InlineData("""["a", "it's", "say \"hi\"\n"]""", """['a', "it's", 'say "hi"\n']""")]
    [InlineData("""{"$tuple": [1]}""", "(1,)")]
    [InlineData("""{"$set": []}""", "set()")]
    [InlineData("""{"$frozenset": [1]}""", "frozenset({1})")]
    [InlineData("""{"$bytes": "AGFi"}""", """b'\x00ab'""")]
    [InlineData("""{"$dict": [[1, null], [2, false]]}""", "{1: None, 2: False}")]
    [InlineData("""["\u00e9\u0007"]""", """['é\x07']""")]
    public void Repr_is_python_like(string json, string repr) => P(json).ToString().Should().Be(repr);

    [Fact]
    public void Short_repr_is_cut_with_an_ellipsis()
    {
        var s = PyRepr.Short(new PyCollection(PyKind.List, Enumerable.Range(0, 100).Select(i => (PyValue)new PyInt(i)).ToList()), 20);
        s.Should().HaveLength(20).And.EndWith("...");
    }
}
