namespace DataflowCompiler.Network;

/// <summary>The last thing a subpartition ever sends: its producer has finished.</summary>
public sealed class EndOfPartitionEvent : RuntimeEvent
{
    public static readonly EndOfPartitionEvent Instance = new();

    private EndOfPartitionEvent() { }

    public override string ToString() => "EndOfPartition";
}
