namespace DataflowCompiler.State;

/// <summary>A contiguous, inclusive range of key groups owned by one keyed subtask.</summary>
public readonly record struct KeyGroupRange(int StartKeyGroup, int EndKeyGroup)
{
    /// <summary>Number of key groups in the range.</summary>
    public int Count => EndKeyGroup - StartKeyGroup + 1;

    public bool Contains(int keyGroup) => keyGroup >= StartKeyGroup && keyGroup <= EndKeyGroup;

    public override string ToString() => $"KeyGroupRange[{StartKeyGroup}..{EndKeyGroup}]";
}
