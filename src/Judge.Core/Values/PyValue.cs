using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Judge.Core.Values;

public enum PyKind { None, Bool, Int, Float, Str, Bytes, List, Tuple, Set, FrozenSet, Dict, Unrepresentable }

/// <summary>
/// A Python value decoded from the tagged JSON form. Equality is Python's, made type-aware the way the exact checker
/// needs it: True != 1, 1 != 1.0, tuple != list; sets and dicts ignore order; nan equals nan.
/// </summary>
public abstract class PyValue : IEquatable<PyValue>
{
    // The hash, computed once: 0 until then, else 1 << 32 | hash (one 64-bit write publishes both).
    long _hash;

    public abstract PyKind Kind { get; }

    /// <summary>The Python type name: int, float, str, bytes, bool, NoneType, list, tuple, dict, set, frozenset.</summary>
    public virtual string TypeName => Kind switch
    {
        PyKind.None => "NoneType",
        PyKind.FrozenSet => "frozenset",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    public bool IsNumber => Kind is PyKind.Int or PyKind.Float;

    public bool Equals(PyValue? other) => other is not null && PyEquality.Exact(this, other);
    public override bool Equals(object? obj) => obj is PyValue v && Equals(v);
    public override int GetHashCode()
    {
        var cached = Volatile.Read(ref _hash);
        if (cached != 0) return (int)cached;
        var hash = PyEquality.ComputeHash(this);
        Volatile.Write(ref _hash, 1L << 32 | (uint)hash);
        return hash;
    }

    /// <summary>Python's repr of the value, cut (with "...") past 10 000 characters.</summary>
    public override string ToString() => PyRepr.Short(this, 10_000);
}

public sealed class PyNone : PyValue
{
    public static readonly PyNone Instance = new();
    private PyNone() { }
    public override PyKind Kind => PyKind.None;
}

public sealed class PyBool(bool value) : PyValue
{
    public static readonly PyBool True = new(true), False = new(false);
    public bool Value { get; } = value;
    public override PyKind Kind => PyKind.Bool;
}

public sealed class PyInt : PyValue
{
    // One or both of: the value (as a long when it fits) and its canonical decimal text. A big int from the wire is
    // kept as text until a number is asked for: BigInteger.Parse is superlinear (14 ms at 100 000 digits) and
    // BigInteger.ToString quadratic (0.3 s), and equality, hashing and display need neither.
    readonly long _small;
    readonly bool _isSmall;
    StrongBox<BigInteger>? _big;
    string? _text;

    public PyInt(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            _small = (long)value;
            _isSmall = true;
        }
        else
        {
            _big = new StrongBox<BigInteger>(value);
        }
    }

    PyInt(long value)
    {
        _small = value;
        _isSmall = true;
    }

    /// <summary>A big int (outside the range of a long) from its canonical decimal text: digits, no leading zero,
    /// "-" for a negative one.</summary>
    internal PyInt(string canonicalText) => _text = canonicalText;

    static readonly PyInt[] Small = [.. Enumerable.Range(-5, 262).Select(i => new PyInt((long)i))];

    /// <summary>-5 to 256 are shared, as in CPython: values are immutable, and small ints are most of what comes back.</summary>
    internal static PyInt Of(long value) => value is >= -5 and <= 256 ? Small[value + 5] : new PyInt(value);

    public BigInteger Value
    {
        get
        {
            if (_isSmall) return _small;
            var big = Volatile.Read(ref _big);
            if (big is null)
            {
                big = new StrongBox<BigInteger>(BigInteger.Parse(_text!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                Volatile.Write(ref _big, big);
            }
            return big.Value;
        }
    }

    /// <summary>The value as a long, when it fits one.</summary>
    internal bool TryGetSmall(out long value)
    {
        value = _small;
        return _isSmall;
    }

    /// <summary>The decimal text, made once (and kept from the wire when decoded).</summary>
    public string Text => _text ??= _isSmall ? _small.ToString(CultureInfo.InvariantCulture) : Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The nearest double (an infinity past its range), read from the text when there is no number yet.</summary>
    internal double ToDouble() => _isSmall ? _small : Volatile.Read(ref _big) is { } big ? (double)big.Value : double.Parse(_text!, CultureInfo.InvariantCulture);

    public override PyKind Kind => PyKind.Int;
}

public sealed class PyFloat(double value) : PyValue
{
    public double Value { get; } = value;
    public override PyKind Kind => PyKind.Float;
}

public sealed class PyStr(string value) : PyValue
{
    public string Value { get; } = value;
    public override PyKind Kind => PyKind.Str;
}

public sealed class PyBytes(byte[] value) : PyValue
{
    public byte[] Value { get; } = value;
    public override PyKind Kind => PyKind.Bytes;
}

/// <summary>list, tuple, set or frozenset.</summary>
public sealed class PyCollection : PyValue
{
    HashSet<PyValue>? _elements;

    public PyCollection(PyKind kind, IReadOnlyList<PyValue> items)
    {
        if (kind is not (PyKind.List or PyKind.Tuple or PyKind.Set or PyKind.FrozenSet))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a collection kind");
        Kind = kind;
        Items = items;
        // Known once, here: asking every element again at every level of a nested value would be quadratic.
        Hashable = kind is PyKind.Tuple or PyKind.FrozenSet && items.All(PyEquality.IsHashable);
    }

    /// <summary>A set whose elements the caller has already put in a hash set (the decoder, checking for duplicates).</summary>
    internal PyCollection(PyKind kind, IReadOnlyList<PyValue> items, HashSet<PyValue>? elements) : this(kind, items) => _elements = elements;

    public override PyKind Kind { get; }
    public IReadOnlyList<PyValue> Items { get; }
    public bool IsSequence => Kind is PyKind.List or PyKind.Tuple;
    public bool IsSet => Kind is PyKind.Set or PyKind.FrozenSet;
    internal bool Hashable { get; }

    /// <summary>Sets up to this size are searched element by element (hashes first): no hash set is made for them.</summary>
    internal const int SmallSet = 8;

    /// <summary>Is <paramref name="value"/> one of the elements? For sets, whose elements are distinct (the decoder and
    /// the problem loader refuse duplicates).</summary>
    internal bool Contains(PyValue value)
    {
        if (Items.Count > SmallSet) return Elements.Contains(value);
        var hash = value.GetHashCode();
        foreach (var item in Items)
            if (item.GetHashCode() == hash && PyEquality.Exact(item, value)) return true;
        return false;
    }

    /// <summary>The elements as a hash set, made once (never modified, so safe to share between threads).</summary>
    HashSet<PyValue> Elements
    {
        get
        {
            var set = Volatile.Read(ref _elements);
            if (set is not null) return set;
            set = new HashSet<PyValue>(Items);
            return Interlocked.CompareExchange(ref _elements, set, null) ?? set;
        }
    }
}

public sealed class PyDict : PyValue
{
    Dictionary<PyValue, PyValue>? _lookup;

    public PyDict(IReadOnlyList<KeyValuePair<PyValue, PyValue>> items) => Items = items;

    /// <summary>A dict whose keys the caller has already put in a dictionary (the decoder, checking for duplicates).</summary>
    internal PyDict(IReadOnlyList<KeyValuePair<PyValue, PyValue>> items, Dictionary<PyValue, PyValue> lookup) : this(items) => _lookup = lookup;

    public IReadOnlyList<KeyValuePair<PyValue, PyValue>> Items { get; }
    public override PyKind Kind => PyKind.Dict;

    /// <summary>Key to value, made once (never modified, so safe to share between threads).</summary>
    internal Dictionary<PyValue, PyValue> Lookup
    {
        get
        {
            var map = Volatile.Read(ref _lookup);
            if (map is not null) return map;
            map = new Dictionary<PyValue, PyValue>(Items.Count);
            foreach (var (k, v) in Items) map[k] = v;
            return Interlocked.CompareExchange(ref _lookup, map, null) ?? map;
        }
    }
}

/// <summary>A value the sandbox could not send as data (an object, a generator, a Counter, ...).</summary>
public sealed class PyUnrepresentable(string typeName, string? reason = null) : PyValue
{
    public override PyKind Kind => PyKind.Unrepresentable;
    public override string TypeName { get; } = typeName;
    public string? Reason { get; } = reason;
}

/// <summary>Type-aware structural equality and a hash consistent with it.</summary>
public static class PyEquality
{
    public static bool Exact(PyValue a, PyValue b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Kind != b.Kind) return false;
        switch (a, b)
        {
            case (PyNone, PyNone): return true;
            case (PyBool x, PyBool y): return x.Value == y.Value;
            case (PyInt x, PyInt y): return IntEquals(x, y);
            case (PyFloat x, PyFloat y): return FloatEquals(x.Value, y.Value);
            case (PyStr x, PyStr y): return x.Value == y.Value;
            case (PyBytes x, PyBytes y): return x.Value.AsSpan().SequenceEqual(y.Value);
            case (PyCollection x, PyCollection y) when x.IsSequence:
                if (x.Items.Count != y.Items.Count) return false;
                for (var i = 0; i < x.Items.Count; i++)
                    if (!Exact(x.Items[i], y.Items[i])) return false;
                return true;
            case (PyCollection x, PyCollection y):
                if (x.Items.Count != y.Items.Count) return false;
                foreach (var item in x.Items)
                    if (!y.Contains(item)) return false;
                return true;
            case (PyDict x, PyDict y):
                if (x.Lookup.Count != y.Lookup.Count) return false;
                foreach (var (key, value) in x.Lookup)
                    if (!y.Lookup.TryGetValue(key, out var other) || !Exact(value, other)) return false;
                return true;
            case (PyUnrepresentable x, PyUnrepresentable y): return x.TypeName == y.TypeName;
            default: return false;
        }
    }

    static bool IntEquals(PyInt x, PyInt y)
    {
        var xSmall = x.TryGetSmall(out var a);
        var ySmall = y.TryGetSmall(out var b);
        if (xSmall || ySmall) return xSmall && ySmall && a == b; // one form per value: a big int never fits a long
        return x.Text == y.Text; // canonical texts: equal exactly when the values are
    }

    /// <summary>nan equals nan (an expected nan is meant to be produced); 0.0 equals -0.0 as in Python.</summary>
    public static bool FloatEquals(double x, double y) => x == y || (double.IsNaN(x) && double.IsNaN(y));

    public static int Hash(PyValue v) => v.GetHashCode();

    /// <summary>
    /// A hash no input can make collide on purpose: every leaf (digits, float bits, text, bytes, type names) goes through
    /// Marvin, the keyed hash .NET seeds randomly per process for strings; containers combine their elements' hashes with
    /// <see cref="HashCode"/> (also seeded per process), sets and dicts through a keyed mix per element before the
    /// order-insensitive sum, so that no regrouping of elements (a partition of one set into frozensets) keeps the sum.
    /// Equal values hash equal: kinds never equal each other (True != 1 != 1.0), nan equals nan, -0.0 equals 0.0.
    /// </summary>
    internal static int ComputeHash(PyValue v)
    {
        switch (v)
        {
            case PyNone or PyBool:
                return HashCode.Combine(v.Kind, v is PyBool { Value: true });
            case PyInt i:
                return HashCode.Combine(PyKind.Int, IntLeaf(i));
            case PyFloat f:
                var d = double.IsNaN(f.Value) ? double.NaN : f.Value == 0 ? 0.0 : f.Value;
                Span<byte> bits = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(bits, BitConverter.DoubleToInt64Bits(d));
                return HashCode.Combine(PyKind.Float, Leaf(bits));
            case PyStr s:
                return HashCode.Combine(PyKind.Str, string.GetHashCode(s.Value.AsSpan()));
            case PyBytes b:
                return HashCode.Combine(PyKind.Bytes, Leaf(b.Value), b.Value.Length);
            case PyUnrepresentable u:
                return HashCode.Combine(PyKind.Unrepresentable, string.GetHashCode(u.TypeName.AsSpan()));
            case PyCollection { IsSequence: true } c:
                var h = new HashCode();
                h.Add(c.Kind);
                h.Add(c.Items.Count);
                foreach (var item in c.Items) h.Add(item.GetHashCode());
                return h.ToHashCode();
            case PyCollection c:
                var sum = 0;
                foreach (var item in c.Items) sum = unchecked(sum + HashCode.Combine(item.GetHashCode()));
                return HashCode.Combine(c.Kind, c.Items.Count, sum);
            case PyDict dict:
                var pairs = 0;
                foreach (var (key, value) in dict.Items) pairs = unchecked(pairs + HashCode.Combine(key.GetHashCode(), value.GetHashCode()));
                return HashCode.Combine(PyKind.Dict, dict.Items.Count, pairs);
            default:
                return 0;
        }
    }

    /// <summary>Marvin over bytes: pairs of bytes as chars, and an odd last byte.</summary>
    static int Leaf(ReadOnlySpan<byte> bytes)
    {
        var h = string.GetHashCode(MemoryMarshal.Cast<byte, char>(bytes));
        return (bytes.Length & 1) == 0 ? h : HashCode.Combine(h, bytes[^1]);
    }

    /// <summary>A long's 8 bytes; a bigger int's canonical decimal text (made once, and kept from the wire).</summary>
    static int IntLeaf(PyInt value)
    {
        if (!value.TryGetSmall(out var small)) return string.GetHashCode(value.Text.AsSpan());
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, small);
        return Leaf(bytes);
    }

    /// <summary>Is the value usable as a set element or dict key in Python (no list, dict or set inside)?</summary>
    public static bool IsHashable(PyValue v) => v switch
    {
        PyCollection c => c.Hashable,
        PyDict => false,
        _ => true,
    };

    /// <summary>The dict's keys and values for lookups (made once per value; do not modify).</summary>
    public static IReadOnlyDictionary<PyValue, PyValue> ToDictionary(PyDict d) => d.Lookup;
}
