namespace DataflowCompiler.Generator.Fusion;

/// <summary>The edge leaving a chain: "hash" (KeyBy, with its key selector) or "rebalance".</summary>
internal sealed record OutputSpec
{
    public OutputSpec(string partitioner, string recordType, string keyType, FunctionSpec? keySelector)
    {
        Partitioner = partitioner;
        RecordType = recordType;
        KeyType = keyType;
        KeySelector = keySelector;
    }

    public string Partitioner { get; }
    public string RecordType { get; }
    public string KeyType { get; }
    public FunctionSpec? KeySelector { get; }
}
