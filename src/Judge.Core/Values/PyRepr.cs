using System.Globalization;
using System.Text;

namespace Judge.Core.Values;

/// <summary>
/// Python-like repr, for difference messages and display. Never evaluated anywhere. Rendering stops at its budget:
/// a cut repr of a 1 MB value costs what it shows, not what the value holds.
/// </summary>
public static class PyRepr
{
    /// <summary>The whole repr, however long: only for values known to be small.</summary>
    public static string Repr(PyValue value)
    {
        var w = new Writer(int.MaxValue);
        w.Value(value);
        return w.ToString();
    }

    /// <summary>The repr cut to <paramref name="max"/> characters (at least 4), ending with "..." when cut.</summary>
    public static string Short(PyValue value, int max = 60)
    {
        var w = new Writer(Math.Max(max, 4) + 1);
        w.Value(value);
        return w.Cut(Math.Max(max, 4));
    }

    /// <summary>The repr of the str <paramref name="text"/>, cut like <see cref="Short(PyValue, int)"/>.</summary>
    public static string Short(ReadOnlySpan<char> text, int max = 60)
    {
        var w = new Writer(Math.Max(max, 4) + 1);
        w.Str(text);
        return w.Cut(Math.Max(max, 4));
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
        var w = new Writer(int.MaxValue);
        w.Str(s);
        return w.ToString();
    }

    public static string Bytes(byte[] bytes)
    {
        var w = new Writer(int.MaxValue);
        w.Bytes(bytes);
        return w.ToString();
    }

    /// <summary>Appends until <c>limit</c> characters are written, then ignores the rest.</summary>
    sealed class Writer(int limit)
    {
        readonly StringBuilder _sb = new();

        bool Full => _sb.Length >= limit;

        public string Cut(int max) => _sb.Length > max ? _sb.ToString(0, CutPoint(max - 3)) + "..." : _sb.ToString();

        // Never half of a surrogate pair.
        int CutPoint(int at) => at > 0 && char.IsHighSurrogate(_sb[at - 1]) ? at - 1 : at;

        public override string ToString() => _sb.ToString();

        void Append(char c)
        {
            if (!Full) _sb.Append(c);
        }

        void Append(string s) => Append(s.AsSpan());

        void Append(ReadOnlySpan<char> s)
        {
            if (!Full) _sb.Append(s[..Math.Min(s.Length, limit - _sb.Length)]);
        }

        public void Value(PyValue v)
        {
            if (Full) return;
            switch (v)
            {
                case PyNone: Append("None"); break;
                case PyBool b: Append(b.Value ? "True" : "False"); break;
                case PyInt i: Append(i.Text); break;
                case PyFloat f: Append(Float(f.Value)); break;
                case PyStr s: Str(s.Value); break;
                case PyBytes b: Bytes(b.Value); break;
                case PyCollection { Items.Count: 0, Kind: PyKind.Set }: Append("set()"); break;
                case PyCollection { Items.Count: 0, Kind: PyKind.FrozenSet }: Append("frozenset()"); break;
                case PyCollection c:
                    var (open, close) = c.Kind switch
                    {
                        PyKind.List => ("[", "]"),
                        PyKind.Tuple => ("(", c.Items.Count == 1 ? ",)" : ")"),
                        PyKind.Set => ("{", "}"),
                        _ => ("frozenset({", "})"),
                    };
                    Append(open);
                    for (var i = 0; i < c.Items.Count && !Full; i++)
                    {
                        if (i > 0) Append(", ");
                        Value(c.Items[i]);
                    }
                    Append(close);
                    break;
                case PyDict d:
                    Append('{');
                    for (var i = 0; i < d.Items.Count && !Full; i++)
                    {
                        if (i > 0) Append(", ");
                        Value(d.Items[i].Key);
                        Append(": ");
                        Value(d.Items[i].Value);
                    }
                    Append('}');
                    break;
                case PyUnrepresentable u:
                    Append('<');
                    Append(u.TypeName);
                    Append(" object>");
                    break;
            }
        }

        public void Str(ReadOnlySpan<char> s)
        {
            // Python picks the quote from the whole string; a cut repr looks only at what it can show.
            var seen = s[..Math.Min(s.Length, limit)];
            var quote = seen.Contains('\'') && !seen.Contains('"') ? '"' : '\'';
            Append(quote);
            for (var i = 0; i < s.Length && !Full; i++)
            {
                var c = s[i];
                if (c == quote || c == '\\') { Append('\\'); Append(c); }
                else if (c == '\n') Append("\\n");
                else if (c == '\r') Append("\\r");
                else if (c == '\t') Append("\\t");
                else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    var cp = char.ConvertToUtf32(c, s[i + 1]);
                    if (IsPrintable(CharUnicodeInfo.GetUnicodeCategory(cp))) Append(s.Slice(i, 2));
                    else Append(string.Create(CultureInfo.InvariantCulture, $"\\U{cp:x8}"));
                    i++;
                }
                else if (c == ' ' || (!char.IsSurrogate(c) && IsPrintable(CharUnicodeInfo.GetUnicodeCategory(c)))) Append(c);
                else if (c < 0x100) Append(string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"));
                else Append(string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
            }
            Append(quote);
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            var seen = bytes[..Math.Min(bytes.Length, limit)];
            var quote = seen.Contains((byte)'\'') && !seen.Contains((byte)'"') ? '"' : '\'';
            Append('b');
            Append(quote);
            for (var i = 0; i < bytes.Length && !Full; i++)
            {
                var b = bytes[i];
                if (b == quote || b == '\\') { Append('\\'); Append((char)b); }
                else if (b == '\n') Append("\\n");
                else if (b == '\r') Append("\\r");
                else if (b == '\t') Append("\\t");
                else if (b is >= 0x20 and < 0x7f) Append((char)b);
                else Append(string.Create(CultureInfo.InvariantCulture, $"\\x{b:x2}"));
            }
            Append(quote);
        }
    }

    static bool IsPrintable(UnicodeCategory cat) => cat is not (UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
}
