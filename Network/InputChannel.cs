namespace DataflowCompiler.Network;

/// <summary>
/// The receiving end of one subpartition inside an <see cref="InputGate"/>. Owns
/// <see cref="NetworkSettings.ExclusiveBuffersPerChannel"/> buffers; each free buffer is one credit
/// announced to the sender; asks the gate for floating buffers when the sender's backlog exceeds its credit.
/// </summary>
public sealed class InputChannel
{
    internal InputChannel() { }

    public int Index => throw new NotImplementedException();

    /// <summary>Buffers received and not yet taken by the task.</summary>
    public int QueuedBuffers => throw new NotImplementedException();

    /// <summary>True once end-of-partition has been taken from this channel.</summary>
    public bool IsFinished => throw new NotImplementedException();
}
