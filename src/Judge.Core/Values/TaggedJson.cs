using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
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
    static readonly byte[][] TagsUtf8 = [.. Tags.Select(Encoding.UTF8.GetBytes)];

    /// <summary>JSON levels a value may take: three per container ({"$dict": [[k, v]]}) and one for a tagged scalar.</summary>
    const int MaxJsonDepth = 3 * MaxDepth + 2;

    static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxJsonDepth + 1, AllowDuplicateProperties = false };

    /// <summary>
    /// Decodes strictly: unknown tags, malformed tags, unhashable keys or elements, duplicate keys, values over the caps
    /// are errors. A container is decoded from its JSON text (written once from the node: a parsed node writes its
    /// source, and JsonNode's own objects, a dictionary per JSON object, cost far more than the text); so a number
    /// means what its JSON token says, and a container built in memory should hold floats as <see cref="ToJson"/>
    /// makes them (a CLR double 1.0 writes as the int 1).
    /// </summary>
    /// <param name="allowUnrepresentable">true for values from the sandbox; false for documents (an expected value cannot be unrepresentable).</param>
    public static PyValue Parse(JsonNode? node, bool allowUnrepresentable = false)
    {
        var decoder = new Decoder(allowUnrepresentable);
        try
        {
            if (node is null) return PyNone.Instance;
            if (node is JsonValue value && !value.TryGetValue<JsonElement>(out _)) return decoder.InMemory(value);
            var text = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(text, new JsonWriterOptions { MaxDepth = MaxJsonDepth }))
            {
                try
                {
                    node.WriteTo(writer);
                }
                catch (InvalidOperationException) when (writer.CurrentDepth >= MaxJsonDepth)
                {
                    throw Error($"nested deeper than {MaxDepth} levels");
                }
            }
            using var document = JsonDocument.Parse(text.WrittenMemory, DocumentOptions);
            return decoder.Decode(document.RootElement, 0);
        }
        // Bytes from a child can break JSON in ways that show only when read: duplicate keys, invalid UTF-8 or lone
        // surrogates in a string.
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

    static ValueFormatException Error(string message) => new("$", message);

    /// <summary>The error of a value inside this one, its path made longer by one step: paths are built only on the way
    /// out of an error (keys can be long, and there can be 100 000 of them).</summary>
    static ValueFormatException Under(ValueFormatException inner, int index) => new($"$[{index}]{inner.Path[1..]}", inner.Reason);

    static ValueFormatException Under(ValueFormatException inner, string key) =>
        new($"$[{JsonSerializer.Serialize(Cut(key, 40))}]{inner.Path[1..]}", inner.Reason);

    sealed class Decoder(bool allowUnrep)
    {
        static readonly SearchValues<byte> FloatMarks = SearchValues.Create(".eE"u8);

        int _items;
        long _chars;

        void SpendItems(int n)
        {
            _items += n;
            if (_items > MaxItems) throw Error($"more than {MaxItems} values in one value");
        }

        void SpendChars(long n)
        {
            _chars += n;
            if (_chars > MaxChars) throw Error($"more than {MaxChars} characters of text in one value");
        }

        /// <summary>Refuses a container before its elements are decoded when they alone are over the budget.</summary>
        void Reserve(int count)
        {
            if ((long)_items + count > MaxItems) throw Error($"more than {MaxItems} values in one value");
        }

        public PyValue Decode(JsonElement element, int depth)
        {
            if (depth > MaxDepth) throw Error($"nested deeper than {MaxDepth} levels");
            SpendItems(1);
            switch (element.ValueKind)
            {
                case JsonValueKind.Null: return PyNone.Instance;
                case JsonValueKind.True: return PyBool.True;
                case JsonValueKind.False: return PyBool.False;
                case JsonValueKind.String: return Str(element.GetString()!);
                case JsonValueKind.Number: return Number(element);
                case JsonValueKind.Array:
                    RuntimeHelpers.EnsureSufficientExecutionStack();
                    return new PyCollection(PyKind.List, DecodeItems(element, depth));
                case JsonValueKind.Object:
                    RuntimeHelpers.EnsureSufficientExecutionStack();
                    return DecodeObject(element, depth);
                default: throw Error("unsupported JSON value");
            }
        }

        /// <summary>A scalar built in memory: it keeps its CLR type (a double is a float even when integral).</summary>
        public PyValue InMemory(JsonValue value)
        {
            SpendItems(1);
            switch (value.GetValueKind())
            {
                case JsonValueKind.String: return Str(value.GetValue<string>());
                case JsonValueKind.True: return PyBool.True;
                case JsonValueKind.False: return PyBool.False;
                case JsonValueKind.Null: return PyNone.Instance;
                case JsonValueKind.Number: break;
                default: throw Error("unsupported JSON value");
            }
            if (value.TryGetValue<long>(out var l)) return new PyInt(l);
            if (value.TryGetValue<double>(out var d)) return Float(d);
            if (value.TryGetValue<float>(out var f)) return Float(f);
            if (value.TryGetValue<decimal>(out var m)) return Float((double)m);
            return Number(JsonSerializer.SerializeToElement(value));
        }

        List<PyValue> DecodeItems(JsonElement array, int depth)
        {
            Reserve(array.GetArrayLength());
            var items = new List<PyValue>(array.GetArrayLength());
            foreach (var item in array.EnumerateArray())
            {
                try
                {
                    items.Add(Decode(item, depth + 1));
                }
                catch (ValueFormatException e)
                {
                    throw Under(e, items.Count);
                }
            }
            return items;
        }

        PyStr Str(string s)
        {
            SpendChars(CodePoints(s));
            return new PyStr(s);
        }

        /// <summary>A number token: a float when it has '.', 'e' or 'E', an int otherwise.</summary>
        PyValue Number(JsonElement element)
        {
            var raw = JsonMarshal.GetRawUtf8Value(element);
            var isFloat = raw.IndexOfAny(FloatMarks) >= 0;
            if (!isFloat && element.TryGetInt64(out var small)) return PyInt.Of(small);
            if (raw.Length > MaxIntDigits + 1) throw Error($"number token longer than {MaxIntDigits + 1} characters");
            if (isFloat) return Float(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
            // Plain tokens up to 2^53 are free, as in the sandbox's encoder; longer digit strings are text.
            SpendChars(raw.Length);
            return Int(Encoding.UTF8.GetString(raw)) ?? throw Error("expected an integer token");
        }

        static PyFloat Float(double d) => double.IsFinite(d)
            ? new PyFloat(d)
            : throw Error("number out of float range (use {\"$float\": \"inf\"})");

        /// <summary>An optional sign and ASCII digits, at most <see cref="MaxIntDigits"/> of them (the caller has charged the
        /// text); a big int stays text until someone asks for its number. Null when the text is not an integer.</summary>
        static PyInt? Int(string text)
        {
            var sign = text.Length > 0 && text[0] is '+' or '-' ? 1 : 0;
            var digits = text.AsSpan(sign);
            if (digits.Length == 0 || digits.ContainsAnyExceptInRange('0', '9')) return null;
            if (digits.Length > MaxIntDigits) throw Error($"int with more than {MaxIntDigits} digits");
            var significant = digits.TrimStart('0');
            var negative = text[0] == '-';
            if (significant.Length <= 18) // within a long: a number
            {
                var small = significant.IsEmpty ? 0 : long.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture);
                return PyInt.Of(negative ? -small : small);
            }
            var canonical = negative ? "-" + significant.ToString() : significant.ToString();
            // 19 digits may still fit a long: one form per value.
            return significant.Length == 19 && long.TryParse(canonical, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? PyInt.Of(l)
                : new PyInt(canonical);
        }

        PyValue DecodeObject(JsonElement obj, int depth)
        {
            // A '$' name anywhere makes the object a tag (the first one names it). Names are compared as raw bytes:
            // making a string of each costs more than the rest of a small object.
            var count = 0;
            string? tag = null;
            JsonElement inner = default;
            foreach (var property in obj.EnumerateObject())
            {
                count++;
                if (tag is not null) continue;
                var raw = JsonMarshal.GetRawUtf8PropertyName(property);
                if (raw.Length == 0 || raw[0] is not ((byte)'$' or (byte)'\\')) continue;
                for (var t = 0; t < Tags.Length && tag is null; t++)
                    if (property.NameEquals(TagsUtf8[t])) tag = Tags[t];
                tag ??= property.Name.StartsWith('$') ? property.Name : null;
                inner = property.Value;
            }
            if (tag is null)
            {
                Reserve(count);
                var entries = new List<KeyValuePair<PyValue, PyValue>>(count);
                foreach (var property in obj.EnumerateObject())
                {
                    var key = property.Name;
                    try
                    {
                        SpendItems(1);
                        entries.Add(new(Str(key), Decode(property.Value, depth + 1)));
                    }
                    catch (ValueFormatException e)
                    {
                        throw Under(e, key);
                    }
                }
                return new PyDict(entries);
            }

            if (!Tags.Contains(tag))
                throw Error($"unknown tag '{Cut(tag, 40)}' ({string.Join(", ", Tags.Where(t => allowUnrep || t != "$unrepresentable"))}); dict keys starting with '$' need {{\"$dict\": [[key, value], ...]}}");
            if (count > 1)
                foreach (var property in obj.EnumerateObject())
                    if (!property.NameEquals(tag) && !(tag == "$unrepresentable" && property.NameEquals("reason")))
                        throw Error($"'{tag}' object has unexpected key '{Cut(property.Name, 40)}'");
            if (tag == "$unrepresentable" && !allowUnrep) throw Error("'$unrepresentable' is not allowed here");
            try
            {
                return DecodeTagged(tag, inner, obj, depth);
            }
            catch (ValueFormatException e)
            {
                throw Under(e, tag);
            }
        }

        /// <summary>The inside of a tagged object; errors are relative to <c>obj[tag]</c>.</summary>
        PyValue DecodeTagged(string tag, JsonElement inner, JsonElement obj, int depth)
        {
            switch (tag)
            {
                case "$int":
                    if (inner.ValueKind != JsonValueKind.String) throw Error("expected a decimal integer string");
                    var digits = inner.GetString()!;
                    if (digits.Length > MaxIntDigits + 1) throw Error($"int with more than {MaxIntDigits} digits");
                    SpendChars(digits.Length);
                    return Int(digits) ?? throw Error("expected a decimal integer string");
                case "$float":
                    var s = inner.ValueKind == JsonValueKind.String ? inner.GetString() : null;
                    return s switch
                    {
                        "nan" => new PyFloat(double.NaN),
                        "inf" => new PyFloat(double.PositiveInfinity),
                        "-inf" => new PyFloat(double.NegativeInfinity),
                        _ => throw Error("expected \"nan\", \"inf\" or \"-inf\""),
                    };
                case "$tuple" or "$set" or "$frozenset":
                    if (inner.ValueKind != JsonValueKind.Array) throw Error("expected an array");
                    var kind = tag switch { "$tuple" => PyKind.Tuple, "$set" => PyKind.Set, _ => PyKind.FrozenSet };
                    var items = DecodeItems(inner, depth);
                    return kind == PyKind.Tuple ? new PyCollection(kind, items) : new PyCollection(kind, items, SetElements(items));
                case "$bytes":
                    if (inner.ValueKind == JsonValueKind.String)
                    {
                        var b64 = inner.GetString()!;
                        SpendChars(b64.Length);
                        var buffer = new byte[b64.Length];
                        if (Convert.TryFromBase64String(b64, buffer, out var n)) return new PyBytes(buffer[..n]);
                    }
                    throw Error("expected a base64 string");
                case "$dict":
                    if (inner.ValueKind != JsonValueKind.Array) throw Error("expected an array of [key, value] pairs");
                    Reserve(inner.GetArrayLength());
                    var entries = new List<KeyValuePair<PyValue, PyValue>>(inner.GetArrayLength());
                    var lookup = new Dictionary<PyValue, PyValue>(inner.GetArrayLength());
                    foreach (var pair in inner.EnumerateArray())
                    {
                        try
                        {
                            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2) throw Error("expected a [key, value] pair");
                            PyValue key;
                            try
                            {
                                key = Decode(pair[0], depth + 1);
                                if (!PyEquality.IsHashable(key)) throw Error($"unhashable key of type {key.TypeName}");
                                if (lookup.ContainsKey(key)) throw Error($"duplicate key {PyRepr.Short(key)}");
                            }
                            catch (ValueFormatException e)
                            {
                                throw Under(e, 0);
                            }
                            try
                            {
                                var value = Decode(pair[1], depth + 1);
                                entries.Add(new(key, value));
                                lookup.Add(key, value);
                            }
                            catch (ValueFormatException e)
                            {
                                throw Under(e, 1);
                            }
                        }
                        catch (ValueFormatException e)
                        {
                            throw Under(e, entries.Count);
                        }
                    }
                    return new PyDict(entries, lookup);
                default: // $unrepresentable
                    if (inner.ValueKind != JsonValueKind.String) throw Error("expected a type name");
                    var name = Cut(inner.GetString()!, MaxNameLength);
                    SpendChars(name.Length);
                    var reason = obj.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? Cut(r.GetString()!, MaxNameLength) : null;
                    SpendChars(reason?.Length ?? 0);
                    return new PyUnrepresentable(name, reason);
            }
        }
    }

    /// <summary>Checks a set's elements (unhashable and duplicate ones are errors); returns them as a hash set, or null
    /// for a small set, which is searched element by element.</summary>
    static HashSet<PyValue>? SetElements(IReadOnlyList<PyValue> items)
    {
        var seen = items.Count > PyCollection.SmallSet ? new HashSet<PyValue>(items.Count) : null;
        for (var i = 0; i < items.Count; i++)
        {
            if (!PyEquality.IsHashable(items[i])) throw Under(Error($"unhashable set element of type {items[i].TypeName}"), i);
            if (seen is null ? Duplicate(items, i) : !seen.Add(items[i]))
                throw Under(Error($"duplicate set element {PyRepr.Short(items[i])}"), i);
        }
        return seen;

        static bool Duplicate(IReadOnlyList<PyValue> items, int i)
        {
            var hash = items[i].GetHashCode();
            for (var j = 0; j < i; j++)
                if (items[j].GetHashCode() == hash && PyEquality.Exact(items[j], items[i])) return true;
            return false;
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
        PyInt i when i.TryGetSmall(out var small) && small is >= -(1L << 53) and <= 1L << 53 => JsonValue.Create(small),
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
