using DataflowCompiler.Memory;

namespace DataflowCompiler.Network;

/// <summary>
/// The input of one consuming subtask: one <see cref="InputChannel"/> per upstream subpartition
/// and a pool of floating buffers. Reserves <see cref="NetworkSettings.GateBuffers"/> segments when
/// created and returns them on <see cref="Release"/>. Read by its owning task thread only;
/// <see cref="SetAvailabilityListener"/> is called from any thread when input may have arrived.
/// </summary>
public sealed class InputGate
{
    public InputGate(string owner, int numberOfChannels, MemorySegmentPool pool, NetworkSettings settings)
    {
        throw new NotImplementedException();
    }

    public string Owner => throw new NotImplementedException();
    public int NumberOfChannels => throw new NotImplementedException();
    public InputChannel GetChannel(int index) => throw new NotImplementedException();

    /// <summary>True once every channel delivered end-of-partition to the task.</summary>
    public bool IsFinished => throw new NotImplementedException();

    /// <summary>Takes the next buffer or event from any unblocked channel, without waiting. Buffers go back with <see cref="NetworkBuffer.Recycle"/>.</summary>
    public bool TryGetNext(out BufferOrEvent next) => throw new NotImplementedException();

    /// <summary>Registers a callback run (on any thread) when a buffer or event arrives or a channel is resumed.</summary>
    public void SetAvailabilityListener(Action listener) => throw new NotImplementedException();

    /// <summary>Stops handing out data of a channel (barrier alignment); its sender keeps its credits and then stalls.</summary>
    public void BlockChannel(int index) => throw new NotImplementedException();

    /// <summary>Resumes a blocked channel.</summary>
    public void ResumeChannel(int index) => throw new NotImplementedException();

    /// <summary>Returns every segment (exclusive, floating and queued). Idempotent.</summary>
    public void Release() => throw new NotImplementedException();
}
