namespace DataflowCompiler.Generator.Fusion;

/// <summary>
/// User code of an operator, as text the emitter can place into static code: a non-capturing lambda
/// (parameters and body), a static method group (its qualified name), or a sealed function object type.
/// </summary>
internal sealed record FunctionSpec
{
    public FunctionSpec(string form, EquatableArray<ParameterSpec> parameters, string returnType, string body, bool isBlock, string target, string collector, bool isRich)
    {
        Form = form;
        Parameters = parameters;
        ReturnType = returnType;
        Body = body;
        IsBlock = isBlock;
        Target = target;
        Collector = collector;
        IsRich = isRich;
    }

    /// <summary>"Lambda", "MethodGroup", "Object" or "Enumerable" (a FlatMap lambda returning a sequence).</summary>
    public string Form { get; }
    public EquatableArray<ParameterSpec> Parameters { get; }
    public string ReturnType { get; }

    /// <summary>Lambda body text; for a FlatMap lambda the collector's Collect calls are already replaced by <c>__emit(...)</c>.</summary>
    public string Body { get; }
    public bool IsBlock { get; }

    /// <summary>The qualified method of a method group, or the sealed type of a function object.</summary>
    public string Target { get; }

    /// <summary>For a FlatMap lambda: the collector parameter that was inlined (empty otherwise).</summary>
    public string Collector { get; }
    public bool IsRich { get; }
}
