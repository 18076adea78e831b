using System.Globalization;
using System.Text;

namespace Judge.Core.Values;

/// <summary>Python-like repr, for difference messages and display. Never evaluated anywhere.</summary>
public static class PyRepr
{
    public static string Repr(PyValue value)
    {
        var sb = new StringBuilder();
        Write(sb, value, int.MaxValue);
        return sb.ToString();
    }

    /// <summary>The repr cut to about <paramref name="max"/> characters, with "..." when cut.</summary>
    public static string Short(PyValue value, int max = 60)
    {
        var sb = new StringBuilder();
        Write(sb, value, max + 1);
        return sb.Length > max ? sb.ToString(0, max - 3) + "..." : sb.ToString();
    }

    static void Write(StringBuilder sb, PyValue v, int budget)
    {
        if (sb.Length > budget) return;
        switch (v)
        {
            case PyNone: sb.Append("None"); break;
            case PyBool b: sb.Append(b.Value ? "True" : "False"); break;
            case PyInt i: sb.Append(i.Value.ToString(CultureInfo.InvariantCulture)); break;
            case PyFloat f: sb.Append(Float(f.Value)); break;
            case PyStr s: sb.Append(Str(s.Value)); break;
            case PyBytes b: sb.Append(Bytes(b.Value)); break;
            case PyCollection { Items.Count: 0, Kind: PyKind.Set }: sb.Append("set()"); break;
            case PyCollection { Items.Count: 0, Kind: PyKind.FrozenSet }: sb.Append("frozenset()"); break;
            case PyCollection c:
                var (open, close) = c.Kind switch
                {
                    PyKind.List => ("[", "]"),
                    PyKind.Tuple => ("(", c.Items.Count == 1 ? ",)" : ")"),
                    PyKind.Set => ("{", "}"),
                    _ => ("frozenset({", "})"),
                };
                sb.Append(open);
                for (var i = 0; i < c.Items.Count && sb.Length <= budget; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Write(sb, c.Items[i], budget);
                }
                sb.Append(close);
                break;
            case PyDict d:
                sb.Append('{');
                for (var i = 0; i < d.Items.Count && sb.Length <= budget; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Write(sb, d.Items[i].Key, budget);
                    sb.Append(": ");
                    Write(sb, d.Items[i].Value, budget);
                }
                sb.Append('}');
                break;
            case PyUnrepresentable u: sb.Append('<').Append(u.TypeName).Append(" object>"); break;
        }
    }

    /// <summary>Python's float repr: shortest round-trip digits, exponent form when the exponent is &lt; -4 or &gt;= 16.</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var sign = r.StartsWith('-') ? "-" : "";
        r = r.TrimStart('-');
        var ePos = r.IndexOfAny(['E', 'e']);
        var exp = ePos >= 0 ? int.Parse(r[(ePos + 1)..], CultureInfo.InvariantCulture) : 0;
        var mantissa = ePos >= 0 ? r[..ePos] : r;
        var dot = mantissa.IndexOf('.');
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var digits = (intPart + (dot >= 0 ? mantissa[(dot + 1)..] : "")).TrimEnd('0');
        var point = intPart.Length + exp; // digits are d1 d2 ... with the decimal point after `point` of them
        var lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits[lead..];
        point -= lead;
        if (digits.Length == 0) return sign + "0.0";
        if (point <= -4 || point > 16)
        {
            var e = point - 1;
            var m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            return $"{sign}{m}e{(e < 0 ? "-" : "+")}{Math.Abs(e):00}";
        }
        if (point <= 0) return sign + "0." + new string('0', -point) + digits;
        if (point >= digits.Length) return sign + digits + new string('0', point - digits.Length) + ".0";
        return sign + digits[..point] + "." + digits[point..];
    }

    public static string Str(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2).Append(quote);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == quote || c == '\\') sb.Append('\\').Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                var cp = char.ConvertToUtf32(c, s[i + 1]);
                if (IsPrintable(CharUnicodeInfo.GetUnicodeCategory(cp))) sb.Append(c).Append(s[i + 1]);
                else sb.Append(CultureInfo.InvariantCulture, $"\\U{cp:x8}");
                i++;
            }
            else if (c == ' ' || (!char.IsSurrogate(c) && IsPrintable(CharUnicodeInfo.GetUnicodeCategory(c)))) sb.Append(c);
            else if (c < 0x100) sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return sb.Append(quote).ToString();
    }

    static bool IsPrintable(UnicodeCategory cat) => cat is not (UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);

    public static string Bytes(byte[] bytes)
    {
        var quote = bytes.Contains((byte)'\'') && !bytes.Contains((byte)'"') ? '"' : '\'';
        var sb = new StringBuilder(bytes.Length + 3).Append('b').Append(quote);
        foreach (var b in bytes)
        {
            if (b == quote || b == '\\') sb.Append('\\').Append((char)b);
            else if (b == '\n') sb.Append("\\n");
            else if (b == '\r') sb.Append("\\r");
            else if (b == '\t') sb.Append("\\t");
            else if (b is >= 0x20 and < 0x7f) sb.Append((char)b);
            else sb.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        return sb.Append(quote).ToString();
    }
}
