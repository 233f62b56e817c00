namespace DataflowCompiler.Network;

/// <summary>
/// One channel's worth of a <see cref="ResultPartition"/>: the buffer being filled, the queue of
/// finished buffers and events waiting for credit, and the backlog reported to the receiver.
/// </summary>
public sealed class ResultSubpartition
{
    internal ResultSubpartition() { }

    public int Index => throw new NotImplementedException();

    /// <summary>Finished buffers waiting to be shipped (the backlog piggybacked on every shipped buffer).</summary>
    public int Backlog => throw new NotImplementedException();

    /// <summary>Credits announced by the receiver and not yet used.</summary>
    public int Credit => throw new NotImplementedException();
}
