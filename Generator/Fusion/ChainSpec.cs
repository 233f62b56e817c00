namespace DataflowCompiler.Generator.Fusion;

/// <summary>
/// One chain as the runtime's JobGraph will build it: its registry key (signature plus fusion sites),
/// its head (a source operator, or records of <see cref="InputType"/> from the network), the operators in
/// chain order, and the edge leaving it, if any.
/// </summary>
internal sealed record ChainSpec
{
    public ChainSpec(int index, string key, bool sourceHeaded, string inputType, EquatableArray<OperatorSpec> operators, OutputSpec? output)
    {
        Index = index;
        Key = key;
        SourceHeaded = sourceHeaded;
        InputType = inputType;
        Operators = operators;
        Output = output;
    }

    public int Index { get; }
    public string Key { get; }
    public bool SourceHeaded { get; }
    public string InputType { get; }
    public EquatableArray<OperatorSpec> Operators { get; }
    public OutputSpec? Output { get; }
}
