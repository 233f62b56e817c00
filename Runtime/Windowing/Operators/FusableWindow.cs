using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// What a keyed window node tells the fusion runtime: the slice settings of its assigner and whether a fused chain may
/// run it on a <see cref="WindowSliceTable{TKey, TIn, TAcc, TAgg}"/> — exactly when the interpreted path would pick the
/// <see cref="SliceTableWindowOperator{TKey, TIn, TAcc, TOut}"/> (event-time tumbling or sliding assigner, default
/// trigger, no evictor, no allowed lateness, keys whose serializer writes raw bytes) and, since fused chains have no
/// side outputs, no late-data side output. The settings are final when the node is built; the key serializer is asked
/// when the job is deployed (after the job registered its serializers).
/// </summary>
internal sealed class FusableWindow
{
    private readonly string? _settingsRefusal;
    private readonly Func<string?> _keyRefusal;

    private FusableWindow(long size, long slide, long offset, string? settingsRefusal, Func<string?> keyRefusal)
    {
        Size = size;
        Slide = slide;
        Offset = offset;
        _settingsRefusal = settingsRefusal;
        _keyRefusal = keyRefusal;
    }

    public long Size { get; }

    public long Slide { get; }

    public long Offset { get; }

    /// <summary>Why the window cannot run fused, or null when it can.</summary>
    public string? Refusal => _settingsRefusal ?? _keyRefusal();

    public static FusableWindow Of<T, TKey, W>(
        WindowAssigner<W> assigner, bool hasTrigger, bool hasEvictor, long allowedLateness, bool hasLateDataTag, bool hasElementSerializer,
        bool nonParallel, SerializerRegistry serializers)
        where W : IWindow
    {
        (long size, long slide, long offset) = assigner switch
        {
            TumblingEventTimeWindows t => (t.Size, t.Size, t.Offset),
            SlidingEventTimeWindows s => (s.Size, s.Slide, s.Offset),
            _ => (0L, 0L, 0L),
        };
        string? refusal =
            nonParallel ? "it is a WindowAll (one subtask for all keys)"
            : size == 0 ? $"its assigner {assigner} is not an event-time tumbling or sliding one (only those run on the slice table)"
            : hasTrigger ? "it has a trigger of its own (only the default trigger fires by the watermark alone)"
            : hasEvictor ? "it has an evictor (the window keeps every element)"
            : allowedLateness != 0 ? "it has allowed lateness (late elements fire windows again)"
            : hasLateDataTag ? "it sends late data to a side output, which fused chains do not have"
            : hasElementSerializer ? "it is the window of a join or co-group"
            : null;
        return new FusableWindow(size, slide, offset, refusal, () => RawKey<TKey>.IsRaw(serializers)
            ? null
            : $"the serializer of its key type '{typeof(TKey).Name}' does not write the key's raw bytes (the slice table compares keys as bytes)");
    }
}
