using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Judge.Core.Values;

/// <summary>
/// What is stored and shown of a value or a text: whole when it fits a byte budget, else cut to it. The work done is
/// bounded by the budget, not by the size of what is cut.
/// </summary>
public static class Shown
{
    static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// JSON levels a shown value may nest: readers (System.Text.Json among them) refuse more than 64 by default, and the
    /// value sits a few levels down in a response. A deeper value (tags add levels: 100 nested tuples are 200) is shown
    /// as its repr.
    /// </summary>
    public const int MaxJsonDepth = 32;

    /// <summary>
    /// The tagged JSON of <paramref name="value"/> when its compact UTF-8 form is at most <paramref name="maxBytes"/>
    /// and it nests at most <see cref="MaxJsonDepth"/> levels; otherwise its Python repr cut to <paramref name="maxBytes"/> UTF-8 bytes (ending with "..."), as a JSON string,
    /// and <paramref name="truncated"/> is set.
    /// </summary>
    public static JsonNode? Value(PyValue? value, int maxBytes, out bool truncated)
    {
        truncated = false;
        if (value is null) return null;
        var budget = (long)maxBytes;
        if (!Exceeds(value, ref budget, 1))
        {
            // At most maxBytes of text below, so the JSON is small: build it and measure it exactly.
            var json = TaggedJson.ToJson(value);
            if (Encoding.UTF8.GetByteCount(json?.ToJsonString(Compact) ?? "null") <= maxBytes) return json;
        }
        truncated = true;
        return JsonValue.Create(Text(PyRepr.Short(value, maxBytes), maxBytes, out _));
    }

    /// <summary><paramref name="text"/> cut to at most <paramref name="maxBytes"/> UTF-8 bytes, at a character boundary.</summary>
    public static string? Text(string? text, int maxBytes, out bool truncated)
    {
        truncated = false;
        // UTF-8 takes at most 3 bytes per UTF-16 unit: short texts fit without counting.
        if (text is null || text.Length <= maxBytes / 3) return text;
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var status = Utf8.FromUtf16(text, buffer.AsSpan(0, maxBytes), out var read, out _);
            if (status == OperationStatus.Done) return text;
            truncated = true;
            return text[..read];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Takes a lower bound of the compact JSON's size from <paramref name="budget"/>; true once it is below zero
    /// or the JSON nests deeper than <see cref="MaxJsonDepth"/> (the walk stops there). <paramref name="depth"/> is the
    /// JSON level <paramref name="v"/> starts at.</summary>
    static bool Exceeds(PyValue v, ref long budget, int depth)
    {
        switch (v)
        {
            case PyCollection c:
                // A list is one level ([...]); a tagged one two ({"$tuple": [...]}).
                var inner = depth + (c.Kind == PyKind.List ? 1 : 2);
                if (inner - 1 > MaxJsonDepth) return true;
                budget -= 2 + Math.Max(0, c.Items.Count - 1) + (c.Kind == PyKind.List ? 0 : 10);
                foreach (var item in c.Items)
                    if (budget < 0 || Exceeds(item, ref budget, inner)) return true;
                break;
            case PyDict d:
                // {"k": v} is one level; {"$dict": [[k, v]]} three.
                var plain = d.Items.All(kv => kv.Key is PyStr s && !s.Value.StartsWith('$'));
                var level = depth + (plain ? 1 : 3);
                if (level - 1 > MaxJsonDepth) return true;
                budget -= 2 + 3L * d.Items.Count;
                foreach (var (key, item) in d.Items)
                    if (budget < 0 || Exceeds(key, ref budget, level) || Exceeds(item, ref budget, level)) return true;
                break;
            default:
                // A big int, a special float, bytes and markers are objects: one more level.
                if (depth > MaxJsonDepth && v is PyInt or PyFloat or PyBytes or PyUnrepresentable) return true;
                budget -= v switch
                {
                    PyStr s => s.Value.Length + 2L, // UTF-8 has at least one byte per UTF-16 unit
                    PyBytes b => (b.Value.Length + 2L) / 3 * 4 + 12,
                    PyInt i => i.TryGetSmall(out _) ? 1 : i.Text.Length,
                    PyUnrepresentable u => u.TypeName.Length + 21L,
                    _ => 1,
                };
                break;
        }
        return budget < 0;
    }
}
