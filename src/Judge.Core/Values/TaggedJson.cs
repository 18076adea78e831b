using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Judge.Core.Values;

/// <summary>A tagged-JSON value that breaks the format; <see cref="Path"/> is a JSON path like <c>$[2]["a"]</c>.</summary>
public sealed class ValueFormatException(string path, string message) : Exception($"{path}: {message}")
{
    public string Path { get; } = path;
    public string Reason { get; } = message;
}

/// <summary>
/// The wire form of Python values (shared with the sandbox): plain JSON for str, bool, null, finite floats (a number
/// token with '.', 'e' or 'E') and ints within ±2^53; tagged objects for the rest:
/// <c>{"$int": "123..."}</c>, <c>{"$float": "nan"|"inf"|"-inf"}</c>, <c>{"$tuple": [...]}</c>, <c>{"$set": [...]}</c>,
/// <c>{"$frozenset": [...]}</c>, <c>{"$bytes": "base64"}</c>, <c>{"$dict": [[k, v], ...]}</c> and
/// <c>{"$unrepresentable": "TypeName", "reason": "..."}</c>. A plain object is a dict with string keys.
/// </summary>
public static class TaggedJson
{
    public const int MaxDepth = 100;
    public static readonly BigInteger SafeIntLimit = BigInteger.Pow(2, 53);

    static readonly string[] Tags = ["$int", "$float", "$tuple", "$set", "$frozenset", "$bytes", "$dict", "$unrepresentable"];

    /// <summary>Decodes strictly: unknown tags, malformed tags, unhashable keys or elements, duplicate keys are errors.</summary>
    /// <param name="allowUnrepresentable">true for values from the sandbox; false for documents (an expected value cannot be unrepresentable).</param>
    public static PyValue Parse(JsonNode? node, bool allowUnrepresentable = false) =>
        Decode(node, "$", 0, allowUnrepresentable);

    /// <summary>Same as <see cref="Parse"/>, returning the error message (with path) instead of throwing.</summary>
    public static bool TryParse(JsonNode? node, out PyValue value, out string? error, bool allowUnrepresentable = false)
    {
        try
        {
            value = Parse(node, allowUnrepresentable);
            error = null;
            return true;
        }
        catch (ValueFormatException e)
        {
            value = PyNone.Instance;
            error = e.Message;
            return false;
        }
    }

    static PyValue Decode(JsonNode? node, string path, int depth, bool allowUnrep)
    {
        if (depth > MaxDepth) throw new ValueFormatException(path, $"nested deeper than {MaxDepth} levels");
        switch (node)
        {
            case null: return PyNone.Instance;
            case JsonArray arr: return new PyCollection(PyKind.List, DecodeItems(arr, path, depth, allowUnrep));
            case JsonObject obj: return DecodeObject(obj, path, depth, allowUnrep);
            case JsonValue val: return DecodeScalar(val, path);
            default: throw new ValueFormatException(path, "unsupported JSON node");
        }
    }

    static List<PyValue> DecodeItems(JsonArray arr, string path, int depth, bool allowUnrep) =>
        arr.Select((item, i) => Decode(item, $"{path}[{i}]", depth + 1, allowUnrep)).ToList();

    static PyValue DecodeScalar(JsonValue val, string path)
    {
        switch (val.GetValueKind())
        {
            case JsonValueKind.String: return new PyStr(val.GetValue<string>());
            case JsonValueKind.True: return PyBool.True;
            case JsonValueKind.False: return PyBool.False;
            case JsonValueKind.Null: return PyNone.Instance;
            case JsonValueKind.Number: break;
            default: throw new ValueFormatException(path, "unsupported JSON value");
        }
        // Values built in memory keep their CLR type; parsed ones keep their token text.
        if (!val.TryGetValue<JsonElement>(out _))
        {
            if (val.TryGetValue<double>(out var d)) return Float(d, path);
            if (val.TryGetValue<float>(out var f)) return Float(f, path);
            if (val.TryGetValue<decimal>(out var m)) return Float((double)m, path);
        }
        var text = val.ToJsonString();
        if (text.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
            return Float(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), path);
        return new PyInt(BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
    }

    static PyFloat Float(double d, string path) => double.IsFinite(d)
        ? new PyFloat(d)
        : throw new ValueFormatException(path, "number out of float range (use {\"$float\": \"inf\"})");

    static PyValue DecodeObject(JsonObject obj, string path, int depth, bool allowUnrep)
    {
        var tag = obj.Select(p => p.Key).FirstOrDefault(k => k.StartsWith('$'));
        if (tag is null)
            return new PyDict(obj.Select(p => new KeyValuePair<PyValue, PyValue>(
                new PyStr(p.Key), Decode(p.Value, $"{path}[{JsonSerializer.Serialize(p.Key)}]", depth + 1, allowUnrep))).ToList());

        if (!Tags.Contains(tag))
            throw new ValueFormatException(path, $"unknown tag '{tag}' ({string.Join(", ", Tags.Where(t => allowUnrep || t != "$unrepresentable"))}); dict keys starting with '$' need {{\"$dict\": [[key, value], ...]}}");
        var extra = obj.Select(p => p.Key).Where(k => k != tag && !(tag == "$unrepresentable" && k == "reason")).ToList();
        if (extra.Count > 0)
            throw new ValueFormatException(path, $"'{tag}' object has unexpected key '{extra[0]}'");
        var inner = obj[tag];
        var ipath = $"{path}[\"{tag}\"]";
        switch (tag)
        {
            case "$int":
                if (inner is not JsonValue iv || iv.GetValueKind() != JsonValueKind.String ||
                    !BigInteger.TryParse(iv.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big) ||
                    iv.GetValue<string>().Trim() != iv.GetValue<string>())
                    throw new ValueFormatException(ipath, "expected a decimal integer string");
                return new PyInt(big);
            case "$float":
                var s = inner is JsonValue fv && fv.GetValueKind() == JsonValueKind.String ? fv.GetValue<string>() : null;
                return s switch
                {
                    "nan" => new PyFloat(double.NaN),
                    "inf" => new PyFloat(double.PositiveInfinity),
                    "-inf" => new PyFloat(double.NegativeInfinity),
                    _ => throw new ValueFormatException(ipath, "expected \"nan\", \"inf\" or \"-inf\""),
                };
            case "$tuple" or "$set" or "$frozenset":
                if (inner is not JsonArray arr) throw new ValueFormatException(ipath, "expected an array");
                var kind = tag switch { "$tuple" => PyKind.Tuple, "$set" => PyKind.Set, _ => PyKind.FrozenSet };
                var items = DecodeItems(arr, ipath, depth, allowUnrep);
                if (kind != PyKind.Tuple) CheckSetElements(items, ipath);
                return new PyCollection(kind, items);
            case "$bytes":
                if (inner is JsonValue bv && bv.GetValueKind() == JsonValueKind.String)
                {
                    var b64 = bv.GetValue<string>();
                    var buffer = new byte[b64.Length];
                    if (Convert.TryFromBase64String(b64, buffer, out var n)) return new PyBytes(buffer[..n]);
                }
                throw new ValueFormatException(ipath, "expected a base64 string");
            case "$dict":
                if (inner is not JsonArray pairs) throw new ValueFormatException(ipath, "expected an array of [key, value] pairs");
                var entries = new List<KeyValuePair<PyValue, PyValue>>(pairs.Count);
                var seen = new HashSet<PyValue>();
                for (var i = 0; i < pairs.Count; i++)
                {
                    var ppath = $"{ipath}[{i}]";
                    if (pairs[i] is not JsonArray { Count: 2 } pair) throw new ValueFormatException(ppath, "expected a [key, value] pair");
                    var key = Decode(pair[0], ppath + "[0]", depth + 2, allowUnrep);
                    if (!PyEquality.IsHashable(key)) throw new ValueFormatException(ppath + "[0]", $"unhashable key of type {key.TypeName}");
                    if (!seen.Add(key)) throw new ValueFormatException(ppath + "[0]", $"duplicate key {PyRepr.Short(key)}");
                    entries.Add(new(key, Decode(pair[1], ppath + "[1]", depth + 2, allowUnrep)));
                }
                return new PyDict(entries);
            default: // $unrepresentable
                if (!allowUnrep) throw new ValueFormatException(path, "'$unrepresentable' is not allowed here");
                if (inner is not JsonValue uv || uv.GetValueKind() != JsonValueKind.String)
                    throw new ValueFormatException(ipath, "expected a type name");
                var reason = obj["reason"] is JsonValue rv && rv.GetValueKind() == JsonValueKind.String ? rv.GetValue<string>() : null;
                return new PyUnrepresentable(uv.GetValue<string>(), reason);
        }
    }

    internal static void CheckSetElements(IReadOnlyList<PyValue> items, string path)
    {
        var seen = new HashSet<PyValue>();
        for (var i = 0; i < items.Count; i++)
        {
            if (!PyEquality.IsHashable(items[i])) throw new ValueFormatException($"{path}[{i}]", $"unhashable set element of type {items[i].TypeName}");
            if (!seen.Add(items[i])) throw new ValueFormatException($"{path}[{i}]", $"duplicate set element {PyRepr.Short(items[i])}");
        }
    }

    /// <summary>The canonical tagged form of <paramref name="value"/>. A fresh tree each call (JsonNodes have one parent).</summary>
    public static JsonNode? ToJson(PyValue value) => value switch
    {
        PyNone => null,
        PyBool b => JsonValue.Create(b.Value),
        PyInt i when BigInteger.Abs(i.Value) <= SafeIntLimit => JsonValue.Create((long)i.Value),
        PyInt i => new JsonObject { ["$int"] = i.Value.ToString(CultureInfo.InvariantCulture) },
        PyFloat f when double.IsNaN(f.Value) => new JsonObject { ["$float"] = "nan" },
        PyFloat f when double.IsInfinity(f.Value) => new JsonObject { ["$float"] = f.Value > 0 ? "inf" : "-inf" },
        // Parsed from text so the token keeps its '.' or exponent (1.0 must not travel as 1).
        PyFloat f => JsonNode.Parse(FloatToken(f.Value)),
        PyStr s => JsonValue.Create(s.Value),
        PyBytes b => new JsonObject { ["$bytes"] = Convert.ToBase64String(b.Value) },
        PyCollection { Kind: PyKind.List } c => new JsonArray(c.Items.Select(ToJson).ToArray()),
        PyCollection c => new JsonObject
        {
            [c.Kind switch { PyKind.Tuple => "$tuple", PyKind.Set => "$set", _ => "$frozenset" }] =
                new JsonArray(c.Items.Select(ToJson).ToArray()),
        },
        PyDict d when d.Items.All(kv => kv.Key is PyStr s && !s.Value.StartsWith('$')) =>
            new JsonObject(d.Items.Select(kv => new KeyValuePair<string, JsonNode?>(((PyStr)kv.Key).Value, ToJson(kv.Value)))),
        PyDict d => new JsonObject
        {
            ["$dict"] = new JsonArray(d.Items.Select(kv => (JsonNode)new JsonArray(ToJson(kv.Key), ToJson(kv.Value))).ToArray()),
        },
        PyUnrepresentable u => u.Reason is null
            ? new JsonObject { ["$unrepresentable"] = u.TypeName }
            : new JsonObject { ["$unrepresentable"] = u.TypeName, ["reason"] = u.Reason },
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    static string FloatToken(double d)
    {
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? s : s + ".0";
    }
}
