using System.ComponentModel;
using System.Runtime.CompilerServices;
using DataflowCompiler.Time;

namespace DataflowCompiler.Fusion;

/// <summary>
/// The watermark strategy of one fused operator (a source with a strategy, or <c>AssignTimestampsAndWatermarks</c>)
/// for one subtask: the same <see cref="WatermarkGeneration{T}"/> the interpreted operators run, so timestamps,
/// periodic emission, idleness and the never-backwards rule are theirs. Per record the generated loop calls
/// <see cref="ExtractTimestamp"/> and, after the record went through the rest of the chain, <see cref="OnEvent"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class FusedWatermarks<T>
{
    private readonly WatermarkGeneration<T> _generation;

    internal FusedWatermarks(WatermarkGeneration<T> generation) => _generation = generation;

    /// <summary>The record's timestamp: the strategy's assigner, or <paramref name="previous"/> when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ExtractTimestamp(T record, long previous) => _generation.ExtractTimestamp(record, previous);

    /// <summary>After the record was emitted: the generator sees it (a punctuated one may emit a watermark here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnEvent(T record, long timestamp) => _generation.OnEvent(record, timestamp);
}
