using System.Numerics;

namespace Judge.Core.Values;

public enum PyKind { None, Bool, Int, Float, Str, Bytes, List, Tuple, Set, FrozenSet, Dict, Unrepresentable }

/// <summary>
/// A Python value decoded from the tagged JSON form. Equality is Python's, made type-aware the way the exact checker
/// needs it: True != 1, 1 != 1.0, tuple != list; sets and dicts ignore order; nan equals nan.
/// </summary>
public abstract class PyValue : IEquatable<PyValue>
{
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
    public override int GetHashCode() => PyEquality.Hash(this);

    /// <summary>Python's repr of the value.</summary>
    public override string ToString() => PyRepr.Repr(this);
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

public sealed class PyInt(BigInteger value) : PyValue
{
    public BigInteger Value { get; } = value;
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

    public static int Hash(PyValue v) => v switch
    {
        PyNone => 1,
        PyBool b => b.Value ? 3 : 2,
        PyInt i => HashCode.Combine(PyKind.Int, i.Value),
        PyFloat f => HashCode.Combine(PyKind.Float, double.IsNaN(f.Value) ? double.NaN : f.Value == 0 ? 0.0 : f.Value),
        PyStr s => HashCode.Combine(PyKind.Str, s.Value),
        PyBytes b => HashCode.Combine(PyKind.Bytes, b.Value.Length, b.Value.Length > 0 ? b.Value[0] : 0),
        PyCollection c when c.IsSequence => c.Items.Aggregate((int)c.Kind, (h, x) => HashCode.Combine(h, Hash(x))),
        // Order-insensitive: a sum of element hashes.
        PyCollection c => c.Items.Aggregate((int)c.Kind * 7919, (h, x) => unchecked(h + Hash(x))),
        PyDict d => d.Items.Aggregate(17, (h, kv) => unchecked(h + HashCode.Combine(Hash(kv.Key), Hash(kv.Value)))),
        PyUnrepresentable u => HashCode.Combine(PyKind.Unrepresentable, u.TypeName),
        _ => 0,
    };

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
