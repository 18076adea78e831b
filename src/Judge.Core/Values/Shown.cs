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
    /// The tagged JSON of <paramref name="value"/> when its compact UTF-8 form is at most <paramref name="maxBytes"/>;
    /// otherwise its Python repr cut to <paramref name="maxBytes"/> UTF-8 bytes (ending with "..."), as a JSON string,
    /// and <paramref name="truncated"/> is set.
    /// </summary>
    public static JsonNode? Value(PyValue? value, int maxBytes, out bool truncated)
    {
        truncated = false;
        if (value is null) return null;
        var budget = (long)maxBytes;
        if (!Exceeds(value, ref budget))
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
    /// (the walk stops there).</summary>
    static bool Exceeds(PyValue v, ref long budget)
    {
        switch (v)
        {
            case PyCollection c:
                budget -= 2 + Math.Max(0, c.Items.Count - 1) + (c.Kind == PyKind.List ? 0 : 10);
                foreach (var item in c.Items)
                    if (budget < 0 || Exceeds(item, ref budget)) return true;
                break;
            case PyDict d:
                budget -= 2 + 3L * d.Items.Count;
                foreach (var (key, item) in d.Items)
                    if (budget < 0 || Exceeds(key, ref budget) || Exceeds(item, ref budget)) return true;
                break;
            default:
                budget -= v switch
                {
                    PyStr s => s.Value.Length + 2L, // UTF-8 has at least one byte per UTF-16 unit
                    PyBytes b => (b.Value.Length + 2L) / 3 * 4 + 12,
                    // Digits without making the text: floor((bits - 1) * log10(2)) + 1 at least.
                    PyInt i => (long)((i.Value.GetBitLength() - 1) * 0.30102) + 1,
                    PyUnrepresentable u => u.TypeName.Length + 21L,
                    _ => 1,
                };
                break;
        }
        return budget < 0;
    }
}
