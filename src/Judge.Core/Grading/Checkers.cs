using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Judge.Core.Problems;
using Judge.Core.Values;

namespace Judge.Core.Grading;

/// <summary>Pass or fail, and where they differ ("index 3: expected 5, got 6").</summary>
public sealed record CheckResult(bool Passed, string? Difference = null)
{
    public static readonly CheckResult Pass = new(true);
    public static CheckResult Fail(string difference) => new(false, difference);
    internal static CheckResult Of(string? difference) => difference is null ? Pass : Fail(difference);
}

/// <summary>The checkers, decided on the trusted side from data only.</summary>
public static class Checkers
{
    public const double DefaultTolerance = 1e-9;
    static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Compares a returned value: float and unordered as named, every other checker compares values exactly.</summary>
    public static CheckResult CompareValue(CheckerKind checker, PyValue expected, PyValue actual, double? tolerance = null) =>
        checker switch
        {
            CheckerKind.Float => Float(expected, actual, tolerance ?? DefaultTolerance),
            CheckerKind.Unordered => Unordered(expected, actual),
            _ => Exact(expected, actual),
        };

    /// <summary>Compares printed output: text, tokens and regex as named, every other checker compares it exactly.</summary>
    public static CheckResult CompareStdout(CheckerKind checker, string expected, string actual) => checker switch
    {
        CheckerKind.Text => Text(expected, actual),
        CheckerKind.Tokens => Tokens(expected, actual),
        CheckerKind.Regex => Regex(expected, actual),
        _ => ExactText(expected, actual),
    };

    public static CheckResult Exact(PyValue expected, PyValue actual) => CheckResult.Of(Diff(expected, actual, null));

    public static CheckResult Float(PyValue expected, PyValue actual, double tolerance = DefaultTolerance) =>
        CheckResult.Of(Diff(expected, actual, tolerance));

    /// <summary>The top-level list or tuple compared as a multiset; elements compared exactly.</summary>
    public static CheckResult Unordered(PyValue expected, PyValue actual)
    {
        if (expected is not PyCollection { IsSequence: true } e || actual is not PyCollection a || a.Kind != e.Kind)
            return Exact(expected, actual);
        var counts = new Dictionary<PyValue, int>(a.Items.Count);
        foreach (var x in a.Items)
            CollectionsMarshal.GetValueRefOrAddDefault(counts, x, out _)++;
        foreach (var x in e.Items)
        {
            ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(counts, x);
            if (Unsafe.IsNullRef(ref count) || count == 0) return CheckResult.Fail($"missing element {PyRepr.Short(x)}");
            count--;
        }
        // Every expected element was matched by one actual element: with as many of each, none is left over.
        if (a.Items.Count == e.Items.Count) return CheckResult.Pass;
        var extra = a.Items.FirstOrDefault(x => counts[x] > 0);
        return extra is null ? CheckResult.Pass : CheckResult.Fail($"unexpected element {PyRepr.Short(extra)}");
    }

    static string? Diff(PyValue e, PyValue a, double? tol)
    {
        if (a is PyUnrepresentable u && e is not PyUnrepresentable)
            return $"expected {e.TypeName}, got a {u.TypeName} object, which cannot be returned as data" +
                   (u.Reason is null ? "" : $" ({u.Reason})") + "; convert it in the expression (list(...), dict(...), ...)";
        if (tol is { } t && IsNumber(e) && IsNumber(a))
        {
            double x = ToDouble(e), y = ToDouble(a);
            // An infinity is near nothing but itself (the relative bound t * inf would accept anything).
            if (PyEquality.FloatEquals(x, y) || (double.IsFinite(x) && double.IsFinite(y) &&
                    (Math.Abs(x - y) <= t || Math.Abs(x - y) <= t * Math.Max(Math.Abs(x), Math.Abs(y)))))
                return null;
            return $"expected {PyRepr.Short(e)}, got {PyRepr.Short(a)} (tolerance {PyRepr.Float(t)})";
        }
        if (e.Kind != a.Kind)
            return e is PyCollection or PyDict || a is PyCollection or PyDict
                ? $"expected {e.TypeName}, got {a.TypeName}"
                : $"expected {PyRepr.Short(e)} ({e.TypeName}), got {PyRepr.Short(a)} ({a.TypeName})";
        switch (e, a)
        {
            case (PyCollection x, PyCollection y) when x.IsSequence:
                for (var i = 0; i < Math.Min(x.Items.Count, y.Items.Count); i++)
                    if (Diff(x.Items[i], y.Items[i], tol) is { } d) return $"index {i}: {d}";
                if (x.Items.Count > y.Items.Count)
                    return $"index {y.Items.Count}: missing element {PyRepr.Short(x.Items[y.Items.Count])} (expected {x.Items.Count} elements, got {y.Items.Count})";
                if (y.Items.Count > x.Items.Count)
                    return $"index {x.Items.Count}: unexpected extra element {PyRepr.Short(y.Items[x.Items.Count])} (expected {x.Items.Count} elements, got {y.Items.Count})";
                return null;
            case (PyCollection x, PyCollection y):
                foreach (var v in x.Items)
                    if (!y.Contains(v)) return $"missing element {PyRepr.Short(v)}";
                // Every expected element is there (elements are distinct): anything more is unexpected.
                if (x.Items.Count == y.Items.Count) return null;
                foreach (var v in y.Items)
                    if (!x.Contains(v)) return $"unexpected element {PyRepr.Short(v)}";
                return null;
            case (PyDict x, PyDict y):
                foreach (var (k, v) in x.Items)
                {
                    if (!y.Lookup.TryGetValue(k, out var got)) return $"missing key {PyRepr.Short(k)}";
                    if (Diff(v, got, tol) is { } d) return $"key {PyRepr.Short(k)}: {d}";
                }
                if (x.Lookup.Count == y.Lookup.Count) return null;
                foreach (var (k, _) in y.Items)
                    if (!x.Lookup.ContainsKey(k)) return $"unexpected key {PyRepr.Short(k)}";
                return null;
            case (PyStr x, PyStr y) when x.Value != y.Value && Math.Max(x.Value.Length, y.Value.Length) > 50:
                var at = x.Value.AsSpan().CommonPrefixLength(y.Value);
                var from = Math.Max(0, at - 10);
                return $"at character {at}: expected {PyRepr.Short(x.Value.AsSpan(from), 40)}, got {PyRepr.Short(y.Value.AsSpan(from), 40)}";
            default:
                return PyEquality.Exact(e, a) ? null : $"expected {PyRepr.Short(e)}, got {PyRepr.Short(a)}";
        }
    }

    static bool IsNumber(PyValue v) => v.Kind is PyKind.Int or PyKind.Float;
    static double ToDouble(PyValue v) => v is PyInt i ? i.ToDouble() : ((PyFloat)v).Value;

    /// <summary>Printed output compared exactly, reported by line.</summary>
    public static CheckResult ExactText(string expected, string actual)
    {
        if (expected == actual) return CheckResult.Pass;
        if (expected.TrimEnd('\n') == actual.TrimEnd('\n'))
            return CheckResult.Fail($"expected {Trailing(expected)} trailing newline(s), got {Trailing(actual)}");
        return CheckResult.Of(LineDiff(expected.Split('\n'), actual.Split('\n')));
        static int Trailing(string s) => s.Length - s.TrimEnd('\n').Length;
    }

    /// <summary>Trailing whitespace on each line and trailing blank lines ignored.</summary>
    public static CheckResult Text(string expected, string actual) =>
        CheckResult.Of(LineDiff(NormalizeLines(expected), NormalizeLines(actual)));

    static string[] NormalizeLines(string s)
    {
        var lines = s.Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return [.. lines];
    }

    static string? LineDiff(string[] e, string[] a)
    {
        for (var i = 0; i < Math.Min(e.Length, a.Length); i++)
            if (e[i] != a[i]) return $"line {i + 1}: expected {Quote(e[i])}, got {Quote(a[i])}";
        if (e.Length > a.Length) return $"line {a.Length + 1}: expected {Quote(e[a.Length])}, got end of output";
        if (a.Length > e.Length) return $"line {e.Length + 1}: unexpected extra line {Quote(a[e.Length])}";
        return null;
    }

    /// <summary>Whitespace-separated tokens equal.</summary>
    public static CheckResult Tokens(string expected, string actual)
    {
        string[] e = SplitTokens(expected), a = SplitTokens(actual);
        for (var i = 0; i < Math.Min(e.Length, a.Length); i++)
            if (e[i] != a[i]) return CheckResult.Fail($"token {i + 1}: expected {Quote(e[i])}, got {Quote(a[i])}");
        if (e.Length > a.Length) return CheckResult.Fail($"token {a.Length + 1}: expected {Quote(e[a.Length])}, got end of output");
        if (a.Length > e.Length) return CheckResult.Fail($"token {e.Length + 1}: unexpected extra token {Quote(a[e.Length])}");
        return CheckResult.Pass;
    }

    static string[] SplitTokens(string s) =>
        s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The whole output (one trailing newline stripped) must match <paramref name="pattern"/>.</summary>
    public static CheckResult Regex(string pattern, string actual)
    {
        var text = actual.EndsWith("\r\n", StringComparison.Ordinal) ? actual[..^2] : actual.EndsWith('\n') ? actual[..^1] : actual;
        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch(text, $@"\A(?:{pattern})\z", RegexOptions.CultureInvariant, RegexTimeout)
                ? CheckResult.Pass
                : CheckResult.Fail($"output {Quote(text)} does not match the pattern {Quote(pattern)}");
        }
        catch (RegexMatchTimeoutException)
        {
            return CheckResult.Fail("the pattern took too long to match the output");
        }
    }

    /// <summary>Is <paramref name="pattern"/> a valid .NET regex? Returns the parser's message otherwise.</summary>
    public static string? RegexError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    static string Quote(string s) => PyRepr.Short(s.AsSpan(), 80);
}
