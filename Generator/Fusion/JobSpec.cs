namespace DataflowCompiler.Generator.Fusion;

/// <summary>One [DataflowJob] class: where it lives, the usings its lambda bodies need, its interceptors and its fused chains.</summary>
internal sealed record JobSpec
{
    public JobSpec(string? @namespace, string className, string fullName, EquatableArray<string> usings, EquatableArray<InterceptorSpec> interceptors,
        EquatableArray<ChainSpec> chains, EquatableArray<string> notes)
    {
        Namespace = @namespace;
        ClassName = className;
        FullName = fullName;
        Usings = usings;
        Interceptors = interceptors;
        Chains = chains;
        Notes = notes;
    }

    public string? Namespace { get; }
    public string ClassName { get; }
    public string FullName { get; }
    public EquatableArray<string> Usings { get; }
    public EquatableArray<InterceptorSpec> Interceptors { get; }
    public EquatableArray<ChainSpec> Chains { get; }

    /// <summary>Why statements were left to the interpreter, one line each (written into the generated file as comments).</summary>
    public EquatableArray<string> Notes { get; }
}
