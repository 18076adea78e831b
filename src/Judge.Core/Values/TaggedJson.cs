using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
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
/// Values come from hostile children: the decoder holds every value to the caps the sandbox's encoder
/// (<c>sandbox/judge_values.py</c>) applies, and refuses what is over them before any expensive work.
/// </summary>
public static class TaggedJson
{
    /// <summary>Containers nested at most (judge_values' max_depth).</summary>
    public const int MaxDepth = 100;

    /// <summary>Values in one value, every element, key and dict value counting one (judge_values' max_items).</summary>
    public const int MaxItems = 100_000;

    /// <summary>Characters in one value: str (code points), bytes (as base64), type names and big-int digits (judge_values' max_str).</summary>
    public const int MaxChars = 1_000_000;

    /// <summary>Digits of one int: judge_values' _MAX_INT_BITS (332 192 bits) is 100 000 decimal digits.</summary>
    public const int MaxIntDigits = 100_000;

    /// <summary>Longest type name or reason of an unrepresentable marker kept (the sandbox sends at most 200 code points).</summary>
    public const int MaxNameLength = 400;

    public static readonly BigInteger SafeIntLimit = BigInteger.Pow(2, 53);

    static readonly string[] Tags = ["$int", "$float", "$tuple", "$set", "$frozenset", "$bytes", "$dict", "$unrepresentable"];

    /// <summary>Decodes strictly: unknown tags, malformed tags, unhashable keys or elements, duplicate keys, values over
    /// the caps are errors.</summary>
    /// <param name="allowUnrepresentable">true for values from the sandbox; false for documents (an expected value cannot be unrepresentable).</param>
    public static PyValue Parse(JsonNode? node, bool allowUnrepresentable = false)
    {
        var decoder = new Decoder(allowUnrepresentable);
        try
        {
            return decoder.Decode(node, null, 0);
        }
        // A node parsed from hostile bytes can still throw when it is read: duplicate keys (ArgumentException),
        // invalid UTF-8 or lone surrogates in a string (InvalidOperationException).
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or JsonException
                                      or OverflowException or InsufficientExecutionStackException)
        {
            throw new ValueFormatException("$", $"malformed JSON: {Cut(e.Message, 200)}");
        }
    }

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

    /// <summary>Where a value sits, built only when an error names it (keys can be long, and there can be 100 000 of them).</summary>
    sealed class JsonPath(JsonPath? parent, string? key, int index)
    {
        public override string ToString()
        {
            var segments = new List<string>();
            for (var p = this; p is not null; p = p.Parent)
                segments.Add(p.Key is null ? $"[{p.Index}]" : $"[{JsonSerializer.Serialize(Cut(p.Key, 40))}]");
            segments.Reverse();
            return "$" + string.Concat(segments);
        }

        JsonPath? Parent { get; } = parent;
        string? Key { get; } = key;
        int Index { get; } = index;
    }

    static ValueFormatException Error(JsonPath? path, string message) => new(path?.ToString() ?? "$", message);

    sealed class Decoder(bool allowUnrep)
    {
        int _items;
        long _chars;

        void SpendItems(JsonPath? path, int n)
        {
            _items += n;
            if (_items > MaxItems) throw Error(path, $"more than {MaxItems} values in one value");
        }

        void SpendChars(JsonPath? path, long n)
        {
            _chars += n;
            if (_chars > MaxChars) throw Error(path, $"more than {MaxChars} characters of text in one value");
        }

        /// <summary>Refuses a container before its elements are decoded when they alone are over the budget.</summary>
        void Reserve(JsonPath? path, int count)
        {
            if ((long)_items + count > MaxItems) throw Error(path, $"more than {MaxItems} values in one value");
        }

        public PyValue Decode(JsonNode? node, JsonPath? path, int depth)
        {
            if (depth > MaxDepth) throw Error(path, $"nested deeper than {MaxDepth} levels");
            RuntimeHelpers.EnsureSufficientExecutionStack();
            SpendItems(path, 1);
            switch (node)
            {
                case null: return PyNone.Instance;
                case JsonArray arr: return new PyCollection(PyKind.List, DecodeItems(arr, path, depth));
                case JsonObject obj: return DecodeObject(obj, path, depth);
                case JsonValue val: return DecodeScalar(val, path);
                default: throw Error(path, "unsupported JSON node");
            }
        }

        List<PyValue> DecodeItems(JsonArray arr, JsonPath? path, int depth)
        {
            Reserve(path, arr.Count);
            var items = new List<PyValue>(arr.Count);
            for (var i = 0; i < arr.Count; i++) items.Add(Decode(arr[i], new JsonPath(path, null, i), depth + 1));
            return items;
        }

        PyStr Str(string s, JsonPath? path)
        {
            SpendChars(path, CodePoints(s));
            return new PyStr(s);
        }

        PyValue DecodeScalar(JsonValue val, JsonPath? path)
        {
            switch (val.GetValueKind())
            {
                case JsonValueKind.String: return Str(val.GetValue<string>(), path);
                case JsonValueKind.True: return PyBool.True;
                case JsonValueKind.False: return PyBool.False;
                case JsonValueKind.Null: return PyNone.Instance;
                case JsonValueKind.Number: break;
                default: throw Error(path, "unsupported JSON value");
            }
            // Values built in memory keep their CLR type; parsed ones keep their token text.
            if (!val.TryGetValue<JsonElement>(out _))
            {
                if (val.TryGetValue<double>(out var d)) return Float(d, path);
                if (val.TryGetValue<float>(out var f)) return Float(f, path);
                if (val.TryGetValue<decimal>(out var m)) return Float((double)m, path);
            }
            var text = val.ToJsonString();
            if (text.Length > MaxIntDigits + 1) throw Error(path, $"number token longer than {MaxIntDigits + 1} characters");
            if (text.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
                return Float(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), path);
            // Plain tokens up to 2^53 are free, as in the sandbox's encoder; longer digit strings are text.
            if (text.Length > 17) SpendChars(path, text.Length);
            return Int(text, path) ?? throw Error(path, "expected an integer token");
        }

        static PyFloat Float(double d, JsonPath? path) => double.IsFinite(d)
            ? new PyFloat(d)
            : throw Error(path, "number out of float range (use {\"$float\": \"inf\"})");

        /// <summary>An optional sign and ASCII digits, at most <see cref="MaxIntDigits"/> of them, checked before
        /// BigInteger.Parse, which is superlinear (the caller has charged the text); null when the text is not an integer.</summary>
        static PyInt? Int(string text, JsonPath? path)
        {
            var sign = text.Length > 0 && text[0] is '+' or '-' ? 1 : 0;
            var digits = text.AsSpan(sign);
            if (digits.Length == 0 || digits.ContainsAnyExceptInRange('0', '9')) return null;
            if (digits.Length > MaxIntDigits) throw Error(path, $"int with more than {MaxIntDigits} digits");
            var significant = digits.TrimStart('0');
            if (significant.IsEmpty) return new PyInt(BigInteger.Zero, "0");
            var value = BigInteger.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture);
            var negative = text[0] == '-';
            return negative ? new PyInt(-value, "-" + significant.ToString()) : new PyInt(value, significant.ToString());
        }

        PyValue DecodeObject(JsonObject obj, JsonPath? path, int depth)
        {
            string? tag = null;
            foreach (var (key, _) in obj)
                if (key.StartsWith('$'))
                {
                    tag = key;
                    break;
                }
            if (tag is null)
            {
                Reserve(path, obj.Count);
                var entries = new List<KeyValuePair<PyValue, PyValue>>(obj.Count);
                foreach (var (key, child) in obj)
                {
                    var at = new JsonPath(path, key, 0);
                    SpendItems(at, 1);
                    entries.Add(new(Str(key, at), Decode(child, at, depth + 1)));
                }
                return new PyDict(entries);
            }

            if (!Tags.Contains(tag))
                throw Error(path, $"unknown tag '{Cut(tag, 40)}' ({string.Join(", ", Tags.Where(t => allowUnrep || t != "$unrepresentable"))}); dict keys starting with '$' need {{\"$dict\": [[key, value], ...]}}");
            foreach (var (key, _) in obj)
                if (key != tag && !(tag == "$unrepresentable" && key == "reason"))
                    throw Error(path, $"'{tag}' object has unexpected key '{Cut(key, 40)}'");
            var inner = obj[tag];
            var ipath = new JsonPath(path, tag, 0);
            switch (tag)
            {
                case "$int":
                    if (inner is not JsonValue iv || iv.GetValueKind() != JsonValueKind.String)
                        throw Error(ipath, "expected a decimal integer string");
                    var digits = iv.GetValue<string>();
                    if (digits.Length > MaxIntDigits + 1) throw Error(ipath, $"int with more than {MaxIntDigits} digits");
                    SpendChars(ipath, digits.Length);
                    return Int(digits, ipath) ?? throw Error(ipath, "expected a decimal integer string");
                case "$float":
                    var s = inner is JsonValue fv && fv.GetValueKind() == JsonValueKind.String ? fv.GetValue<string>() : null;
                    return s switch
                    {
                        "nan" => new PyFloat(double.NaN),
                        "inf" => new PyFloat(double.PositiveInfinity),
                        "-inf" => new PyFloat(double.NegativeInfinity),
                        _ => throw Error(ipath, "expected \"nan\", \"inf\" or \"-inf\""),
                    };
                case "$tuple" or "$set" or "$frozenset":
                    if (inner is not JsonArray arr) throw Error(ipath, "expected an array");
                    var kind = tag switch { "$tuple" => PyKind.Tuple, "$set" => PyKind.Set, _ => PyKind.FrozenSet };
                    var items = DecodeItems(arr, ipath, depth);
                    if (kind != PyKind.Tuple) CheckSetElements(items, ipath);
                    return new PyCollection(kind, items);
                case "$bytes":
                    if (inner is JsonValue bv && bv.GetValueKind() == JsonValueKind.String)
                    {
                        var b64 = bv.GetValue<string>();
                        SpendChars(ipath, b64.Length);
                        var buffer = new byte[b64.Length];
                        if (Convert.TryFromBase64String(b64, buffer, out var n)) return new PyBytes(buffer[..n]);
                    }
                    throw Error(ipath, "expected a base64 string");
                case "$dict":
                    if (inner is not JsonArray pairs) throw Error(ipath, "expected an array of [key, value] pairs");
                    Reserve(ipath, pairs.Count);
                    var entries = new List<KeyValuePair<PyValue, PyValue>>(pairs.Count);
                    var seen = new HashSet<PyValue>(pairs.Count);
                    for (var i = 0; i < pairs.Count; i++)
                    {
                        var ppath = new JsonPath(ipath, null, i);
                        if (pairs[i] is not JsonArray { Count: 2 } pair) throw Error(ppath, "expected a [key, value] pair");
                        var kpath = new JsonPath(ppath, null, 0);
                        var key = Decode(pair[0], kpath, depth + 1);
                        if (!PyEquality.IsHashable(key)) throw Error(kpath, $"unhashable key of type {key.TypeName}");
                        if (!seen.Add(key)) throw Error(kpath, $"duplicate key {PyRepr.Short(key)}");
                        entries.Add(new(key, Decode(pair[1], new JsonPath(ppath, null, 1), depth + 1)));
                    }
                    return new PyDict(entries);
                default: // $unrepresentable
                    if (!allowUnrep) throw Error(path, "'$unrepresentable' is not allowed here");
                    if (inner is not JsonValue uv || uv.GetValueKind() != JsonValueKind.String)
                        throw Error(ipath, "expected a type name");
                    var name = Cut(uv.GetValue<string>(), MaxNameLength);
                    SpendChars(ipath, name.Length);
                    var reason = obj["reason"] is JsonValue rv && rv.GetValueKind() == JsonValueKind.String ? Cut(rv.GetValue<string>(), MaxNameLength) : null;
                    SpendChars(ipath, reason?.Length ?? 0);
                    return new PyUnrepresentable(name, reason);
            }
        }
    }

    static void CheckSetElements(IReadOnlyList<PyValue> items, JsonPath path)
    {
        var seen = new HashSet<PyValue>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (!PyEquality.IsHashable(items[i])) throw Error(new JsonPath(path, null, i), $"unhashable set element of type {items[i].TypeName}");
            if (!seen.Add(items[i])) throw Error(new JsonPath(path, null, i), $"duplicate set element {PyRepr.Short(items[i])}");
        }
    }

    /// <summary>Code points, as Python's len() counts them: a surrogate pair is one.</summary>
    static int CodePoints(string s)
    {
        var pairs = 0;
        for (var i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                pairs++;
                i++;
            }
        return s.Length - pairs;
    }

    /// <summary>At most <paramref name="max"/> UTF-16 units, never half of a surrogate pair.</summary>
    internal static string Cut(string s, int max)
    {
        if (s.Length <= max) return s;
        if (max > 0 && char.IsHighSurrogate(s[max - 1])) max--;
        return s[..max];
    }

    /// <summary>The canonical tagged form of <paramref name="value"/>. A fresh tree each call (JsonNodes have one parent).</summary>
    public static JsonNode? ToJson(PyValue value) => value switch
    {
        PyNone => null,
        PyBool b => JsonValue.Create(b.Value),
        PyInt i when BigInteger.Abs(i.Value) <= SafeIntLimit => JsonValue.Create((long)i.Value),
        PyInt i => new JsonObject { ["$int"] = i.Text },
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
