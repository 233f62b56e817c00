using System.Collections;
using System.Runtime.CompilerServices;

namespace DataflowCompiler.Memory.Tests;

/// <summary>
/// Structural equality for round-trip assertions: compares what the types' own Equals ignores
/// (DateTime kind, DateTimeOffset offset, decimal scale) and looks into tuples, arrays and lists.
/// </summary>
internal static class Deep
{
    public static void AssertEqual<T>(T expected, T actual)
    {
        if (!Equal(expected, actual))
        {
            Assert.Fail($"Round trip changed the value.\nExpected: {Show(expected)}\nActual:   {Show(actual)}");
        }
    }

    public static bool Equal(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        return a switch
        {
            string s => b is string t && s == t,
            DateTime d => b is DateTime e && d.Ticks == e.Ticks && d.Kind == e.Kind,
            DateTimeOffset d => b is DateTimeOffset e && d.Ticks == e.Ticks && d.Offset == e.Offset,
            decimal m => b is decimal n && m == n && m.Scale == n.Scale,
            Click c => b is Click d && c.Url == d.Url && c.UserId == d.UserId && Equal(c.At, d.At) && Equal(c.Tags, d.Tags),
            ITuple x => b is ITuple y && x.Length == y.Length && Enumerable.Range(0, x.Length).All(i => Equal(x[i], y[i])),
            IEnumerable x => b is IEnumerable y && x.Cast<object?>().Count() == y.Cast<object?>().Count()
                && x.Cast<object?>().Zip(y.Cast<object?>()).All(p => Equal(p.First, p.Second)),
            _ => a.Equals(b),
        };
    }

    public static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        DateTime d => $"{d:O} ({d.Kind})",
        ITuple t => "(" + string.Join(", ", Enumerable.Range(0, t.Length).Select(i => Show(t[i]))) + ")",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Show)) + "]",
        _ => value.ToString() ?? "",
    };
}
