namespace DataflowCompiler.Generator.Fusion;

/// <summary>A parameter of an intercepted method, with its type fully qualified.</summary>
internal sealed record ParameterSpec
{
    public ParameterSpec(string type, string name, bool isParams)
    {
        Type = type;
        Name = name;
        IsParams = isParams;
    }

    public string Type { get; }
    public string Name { get; }
    public bool IsParams { get; }
}
