using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Judge.Core.Values;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Judge.Core.Problems;

internal enum ScalarType { Null, Bool, Int, Float, Str, Bytes }

/// <summary>A format-neutral view of a YAML or JSON document, with line numbers (YAML) and the source node.</summary>
internal abstract record DocNode(int? Line, string? Tag, object Source);

internal sealed record DocEntry(DocNode Key, DocNode Value)
{
    public string? KeyText => Key is DocScalar { Type: ScalarType.Str } s ? s.Text : null;
}

internal sealed record DocMap(IReadOnlyList<DocEntry> Entries, int? Line, string? Tag, object Source) : DocNode(Line, Tag, Source);

internal sealed record DocSeq(IReadOnlyList<DocNode> Items, int? Line, string? Tag, object Source) : DocNode(Line, Tag, Source);

internal sealed record DocScalar(string Text, ScalarType Type, int? Line, string? Tag, object Source) : DocNode(Line, Tag, Source);

/// <summary>An error found while reading a document, at a line when known.</summary>
internal sealed class DocException(int? line, string message) : Exception(message)
{
    public int? Line { get; } = line;
}

internal static partial class DocTree
{
    const int MaxNodes = 200_000, MaxDepth = 100;
    const string YamlTagPrefix = "tag:yaml.org,2002:";
    public static readonly string[] ValueTags = ["!tuple", "!set", "!frozenset", "!bytes"];

    [GeneratedRegex(@"^(~|null|Null|NULL|)$")] private static partial Regex NullRx();
    [GeneratedRegex(@"^(true|True|TRUE|false|False|FALSE)$")] private static partial Regex BoolRx();
    [GeneratedRegex(@"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")] private static partial Regex IntRx();
    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")] private static partial Regex FloatRx();

    // ---- YAML

    public static DocNode FromYaml(YamlNode node)
    {
        var count = 0;
        return Convert(node, 0);

        DocNode Convert(YamlNode n, int depth)
        {
            if (++count > MaxNodes) throw new DocException(Line(n), $"document too large (more than {MaxNodes} nodes, aliases included)");
            if (depth > MaxDepth) throw new DocException(Line(n), $"nested deeper than {MaxDepth} levels");
            var tag = n.Tag.IsEmpty || n.Tag.IsNonSpecific ? null : n.Tag.Value;
            return n switch
            {
                YamlMappingNode m => new DocMap(m.Children.Select(kv => new DocEntry(Convert(kv.Key, depth + 1), Convert(kv.Value, depth + 1))).ToList(), Line(m), tag, m),
                YamlSequenceNode s => new DocSeq(s.Children.Select(c => Convert(c, depth + 1)).ToList(), Line(s), tag, s),
                YamlScalarNode sc => new DocScalar(sc.Value ?? "", Resolve(sc, tag), Line(sc), tag, sc),
                _ => throw new DocException(Line(n), "unsupported YAML node"),
            };
        }
    }

    static int Line(YamlNode n) => (int)n.Start.Line;

    /// <summary>YAML 1.2 core schema for plain untagged scalars; quoted and block scalars are strings.</summary>
    static ScalarType Resolve(YamlScalarNode sc, string? tag)
    {
        var text = sc.Value ?? "";
        switch (tag)
        {
            case null when sc.Tag.IsNonSpecific || sc.Style is not (ScalarStyle.Plain or ScalarStyle.Any):
            case YamlTagPrefix + "str":
                return ScalarType.Str;
            case null:
                return NullRx().IsMatch(text) ? ScalarType.Null
                    : BoolRx().IsMatch(text) ? ScalarType.Bool
                    : IntRx().IsMatch(text) ? ScalarType.Int
                    : FloatRx().IsMatch(text) ? ScalarType.Float
                    : ScalarType.Str;
            case "!bytes": return ScalarType.Bytes;
            case YamlTagPrefix + "null" when NullRx().IsMatch(text): return ScalarType.Null;
            case YamlTagPrefix + "bool" when BoolRx().IsMatch(text): return ScalarType.Bool;
            case YamlTagPrefix + "int" when IntRx().IsMatch(text): return ScalarType.Int;
            case YamlTagPrefix + "float" when FloatRx().IsMatch(text) || IntRx().IsMatch(text): return ScalarType.Float;
            case "!tuple" or "!set" or "!frozenset": throw new DocException(Line(sc), $"{tag} applies to a sequence, e.g. {tag} [1, 2]");
            default:
                if (tag.StartsWith(YamlTagPrefix, StringComparison.Ordinal))
                    throw new DocException(Line(sc), $"'{text}' is not a valid !!{tag[YamlTagPrefix.Length..]}");
                throw new DocException(Line(sc), UnknownTag(tag));
        }
    }

    static string UnknownTag(string tag) => $"unknown tag '{tag}' ({string.Join(", ", ValueTags)})";

    /// <summary>A value written in YAML: core-schema scalars, tags !tuple !set !frozenset !bytes, maps with any hashable keys.</summary>
    public static PyValue YamlValue(DocNode node)
    {
        switch (node)
        {
            case DocScalar s:
                return s.Type switch
                {
                    ScalarType.Null => PyNone.Instance,
                    ScalarType.Bool => s.Text is "true" or "True" or "TRUE" ? PyBool.True : PyBool.False,
                    ScalarType.Int => new PyInt(ParseInt(s.Text)),
                    ScalarType.Float => new PyFloat(ParseFloat(s.Text)),
                    ScalarType.Bytes => new PyBytes(Encoding.UTF8.GetBytes(s.Text)),
                    _ => new PyStr(s.Text),
                };
            case DocSeq q:
                var items = q.Items.Select(YamlValue).ToList();
                var kind = q.Tag switch
                {
                    null or YamlTagPrefix + "seq" => PyKind.List,
                    "!tuple" => PyKind.Tuple,
                    "!set" => PyKind.Set,
                    "!frozenset" => PyKind.FrozenSet,
                    "!bytes" => throw new DocException(q.Line, "!bytes applies to a string, e.g. !bytes \"abc\""),
                    _ => throw new DocException(q.Line, UnknownTag(q.Tag)),
                };
                if (kind is PyKind.Set or PyKind.FrozenSet)
                {
                    var seen = new HashSet<PyValue>();
                    for (var i = 0; i < items.Count; i++)
                    {
                        if (!PyEquality.IsHashable(items[i])) throw new DocException(q.Items[i].Line, $"unhashable set element of type {items[i].TypeName}");
                        if (!seen.Add(items[i])) throw new DocException(q.Items[i].Line, $"duplicate set element {PyRepr.Short(items[i])}");
                    }
                }
                return new PyCollection(kind, items);
            case DocMap m:
                if (m.Tag is not (null or YamlTagPrefix + "map"))
                    throw new DocException(m.Line, m.Tag is "!tuple" or "!set" or "!frozenset" or "!bytes"
                        ? $"{m.Tag} does not apply to a mapping" : UnknownTag(m.Tag));
                var entries = new List<KeyValuePair<PyValue, PyValue>>(m.Entries.Count);
                var keys = new HashSet<PyValue>();
                foreach (var e in m.Entries)
                {
                    var key = YamlValue(e.Key);
                    if (!PyEquality.IsHashable(key)) throw new DocException(e.Key.Line, $"unhashable key of type {key.TypeName}");
                    if (!keys.Add(key)) throw new DocException(e.Key.Line, $"duplicate key {PyRepr.Short(key)}");
                    entries.Add(new(key, YamlValue(e.Value)));
                }
                return new PyDict(entries);
            default:
                throw new DocException(node.Line, "unsupported value");
        }
    }

    public static BigInteger ParseInt(string text)
    {
        var neg = text.StartsWith('-');
        var digits = text.TrimStart('-', '+');
        BigInteger v;
        if (digits.StartsWith("0x", StringComparison.Ordinal))
            v = BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        else if (digits.StartsWith("0o", StringComparison.Ordinal))
            v = digits[2..].Aggregate(BigInteger.Zero, (acc, c) => acc * 8 + (c - '0'));
        else
            v = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return neg ? -v : v;
    }

    public static double ParseFloat(string text)
    {
        var t = text.TrimStart('+');
        var neg = t.StartsWith('-');
        var body = t.TrimStart('-').ToLowerInvariant();
        if (body == ".nan") return double.NaN;
        if (body == ".inf") return neg ? double.NegativeInfinity : double.PositiveInfinity;
        if (body.StartsWith('.')) body = "0" + body;
        var d = double.Parse(body, NumberStyles.Float, CultureInfo.InvariantCulture);
        return neg ? -d : d;
    }

    // ---- JSON

    /// <summary>Stands for a JSON null, which has no node of its own.</summary>
    public static readonly object NullSource = new();

    public static DocNode FromJson(JsonNode? node) => node switch
    {
        JsonObject o => new DocMap(o.Select(p => new DocEntry(new DocScalar(p.Key, ScalarType.Str, null, null, p.Key), FromJson(p.Value))).ToList(), null, null, o),
        JsonArray a => new DocSeq(a.Select(FromJson).ToList(), null, null, a),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => new DocScalar(v.GetValue<string>(), ScalarType.Str, null, null, v),
            JsonValueKind.True => new DocScalar("true", ScalarType.Bool, null, null, v),
            JsonValueKind.False => new DocScalar("false", ScalarType.Bool, null, null, v),
            JsonValueKind.Number when v.ToJsonString() is var t => new DocScalar(t, t.AsSpan().IndexOfAny('.', 'e', 'E') >= 0 ? ScalarType.Float : ScalarType.Int, null, null, v),
            _ => new DocScalar("null", ScalarType.Null, null, null, v),
        },
        _ => new DocScalar("null", ScalarType.Null, null, null, NullSource),
    };
}
