using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
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
    string? _text;

    public PyInt(BigInteger value) => Value = value;

    /// <summary>With its decimal text already known (from the wire): <paramref name="text"/> must be canonical.</summary>
    internal PyInt(BigInteger value, string text)
    {
        Value = value;
        _text = text;
    }

    public BigInteger Value { get; }

    /// <summary>The decimal text, made once: BigInteger.ToString is quadratic (about 0.3 s of CPU for 100 000 digits),
    /// so values decoded from the wire keep the text they came with.</summary>
    public string Text => _text ??= Value.ToString(CultureInfo.InvariantCulture);

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
    public PyCollection(PyKind kind, IReadOnlyList<PyValue> items)
    {
        if (kind is not (PyKind.List or PyKind.Tuple or PyKind.Set or PyKind.FrozenSet))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a collection kind");
        Kind = kind;
        Items = items;
    }

    public override PyKind Kind { get; }
    public IReadOnlyList<PyValue> Items { get; }
    public bool IsSequence => Kind is PyKind.List or PyKind.Tuple;
    public bool IsSet => Kind is PyKind.Set or PyKind.FrozenSet;
}

public sealed class PyDict(IReadOnlyList<KeyValuePair<PyValue, PyValue>> items) : PyValue
{
    public IReadOnlyList<KeyValuePair<PyValue, PyValue>> Items { get; } = items;
    public override PyKind Kind => PyKind.Dict;
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
            case (PyInt x, PyInt y): return x.Value == y.Value;
            case (PyFloat x, PyFloat y): return FloatEquals(x.Value, y.Value);
            case (PyStr x, PyStr y): return x.Value == y.Value;
            case (PyBytes x, PyBytes y): return x.Value.AsSpan().SequenceEqual(y.Value);
            case (PyCollection x, PyCollection y) when x.IsSequence:
                if (x.Items.Count != y.Items.Count) return false;
                for (var i = 0; i < x.Items.Count; i++)
                    if (!Exact(x.Items[i], y.Items[i])) return false;
                return true;
            case (PyCollection x, PyCollection y):
                return x.Items.Count == y.Items.Count && new HashSet<PyValue>(x.Items).SetEquals(y.Items);
            case (PyDict x, PyDict y):
                if (x.Items.Count != y.Items.Count) return false;
                var map = ToDictionary(y);
                return x.Items.All(kv => map.TryGetValue(kv.Key, out var v) && Exact(kv.Value, v));
            case (PyUnrepresentable x, PyUnrepresentable y): return x.TypeName == y.TypeName;
            default: return false;
        }
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
                return HashCode.Combine(PyKind.Int, IntLeaf(i.Value));
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

    /// <summary>The value's two's complement bytes (one form per value: 8 bytes when it fits a long).</summary>
    static int IntLeaf(BigInteger value)
    {
        Span<byte> small = stackalloc byte[8];
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            BinaryPrimitives.WriteInt64LittleEndian(small, (long)value);
            return Leaf(small);
        }
        var rented = ArrayPool<byte>.Shared.Rent(value.GetByteCount());
        try
        {
            value.TryWriteBytes(rented, out var written);
            return Leaf(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Is the value usable as a set element or dict key in Python (no list, dict or set inside)?</summary>
    public static bool IsHashable(PyValue v) => v switch
    {
        PyCollection { Kind: PyKind.List or PyKind.Set } or PyDict => false,
        PyCollection c => c.Items.All(IsHashable),
        _ => true,
    };

    public static Dictionary<PyValue, PyValue> ToDictionary(PyDict d)
    {
        var map = new Dictionary<PyValue, PyValue>(d.Items.Count);
        foreach (var (k, v) in d.Items) map[k] = v;
        return map;
    }
}
