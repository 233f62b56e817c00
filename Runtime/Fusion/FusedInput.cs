using DataflowCompiler.Operators;

namespace DataflowCompiler.Fusion;

/// <summary>
/// The input of a network-headed fused chain as the task wiring sees it. The channel readers recognise it
/// and hand whole buffers to <see cref="FusedChain{TIn}.ProcessRecords"/>; single records never come here.
/// </summary>
internal sealed class FusedInput<T>(FusedChain<T> chain) : IInput<T>
{
    public FusedChain<T> Chain => chain;

    public void ProcessElement(T record) =>
        throw new InvalidOperationException("A fused chain takes whole buffers, not single records.");
}
