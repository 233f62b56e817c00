using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace DataflowCompiler.Analyzers.Tests;

/// <summary>Test source with markup: <c>{|DFC0001:text|}</c> marks where a diagnostic with that id is expected.</summary>
internal sealed class TestSource
{
    private TestSource(string text, IReadOnlyList<(string Id, TextSpan Span)> expected)
    {
        Text = text;
        Expected = expected;
    }

    /// <summary>The source without markup.</summary>
    public string Text { get; }

    /// <summary>The expected diagnostics, in source order.</summary>
    public IReadOnlyList<(string Id, TextSpan Span)> Expected { get; }

    /// <summary>Strips the markup from <paramref name="markup"/>; markers may nest.</summary>
    public static TestSource Parse(string markup)
    {
        var text = new StringBuilder(markup.Length);
        var open = new Stack<(string Id, int Start)>();
        var expected = new List<(string Id, TextSpan Span)>();
        for (var i = 0; i < markup.Length; i++)
        {
            if (markup[i] == '{' && i + 1 < markup.Length && markup[i + 1] == '|')
            {
                var colon = markup.IndexOf(':', i + 2);
                open.Push((markup[(i + 2)..colon], text.Length));
                i = colon;
            }
            else if (markup[i] == '|' && i + 1 < markup.Length && markup[i + 1] == '}' && open.Count > 0)
            {
                var (id, start) = open.Pop();
                expected.Add((id, TextSpan.FromBounds(start, text.Length)));
                i++;
            }
            else
            {
                text.Append(markup[i]);
            }
        }
        Assert.Empty(open);
        expected.Sort((a, b) => a.Span.Start != b.Span.Start ? a.Span.Start.CompareTo(b.Span.Start) : string.CompareOrdinal(a.Id, b.Id));
        return new TestSource(text.ToString(), expected);
    }
}
