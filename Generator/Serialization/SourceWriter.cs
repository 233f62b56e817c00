using System.Text;

namespace DataflowCompiler.Generator.Serialization;

/// <summary>Builds generated source line by line with four-space indentation.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();

    public int Indentation { get; set; }

    public void WriteLine(string line)
    {
        if (line.Length > 0)
        {
            _builder.Append(' ', Indentation * 4);
        }
        _builder.Append(line).Append('\n');
    }

    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes <c>{</c> and indents.</summary>
    public void OpenBlock()
    {
        WriteLine("{");
        Indentation++;
    }

    /// <summary>Unindents and writes <c>}</c> (with an optional suffix such as <c>;</c>).</summary>
    public void CloseBlock(string suffix = "")
    {
        Indentation--;
        WriteLine("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
