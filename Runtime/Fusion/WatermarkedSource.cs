using System.ComponentModel;
using DataflowCompiler.Sources;
using DataflowCompiler.Time;

namespace DataflowCompiler.Fusion;

/// <summary>
/// The user objects of a source added with a watermark strategy
/// (<see cref="StreamEnvironment.FromSource{T}(ISource{T}, WatermarkStrategy{T}, string?)"/>), as the generated
/// interceptor attaches them to the source operator for its fused chain. Not for user code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class WatermarkedSource<T>(ISource<T> source, WatermarkStrategy<T> strategy)
{
    /// <summary>The source.</summary>
    public ISource<T> Source { get; } = source;

    /// <summary>Its watermark strategy.</summary>
    public WatermarkStrategy<T> Strategy { get; } = strategy;
}
