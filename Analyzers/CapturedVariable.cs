using Microsoft.CodeAnalysis;

namespace DataflowCompiler.Analyzers;

/// <summary>A variable a lambda uses from outside itself: a local, a parameter, a field, <c>this</c>, or a
/// non-static local function (which a static lambda could not call).</summary>
internal readonly struct CapturedVariable
{
    public CapturedVariable(ISymbol? symbol, string kind, string name, SyntaxNode firstUse)
    {
        Symbol = symbol;
        Kind = kind;
        Name = name;
        FirstUse = firstUse;
    }

    /// <summary>The local, parameter, field or local function; <see langword="null"/> for <c>this</c>.</summary>
    public ISymbol? Symbol { get; }

    /// <summary>"local", "parameter", "field", "this" or "local function".</summary>
    public string Kind { get; }

    /// <summary>The name as the user wrote it.</summary>
    public string Name { get; }

    /// <summary>The first use inside the lambda, where a diagnostic points.</summary>
    public SyntaxNode FirstUse { get; }
}
