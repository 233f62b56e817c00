namespace DataflowCompiler.Windowing.Operators;

/// <summary>Count windows exactly as Flink's KeyedStream.countWindow builds them.</summary>
internal static class CountWindows
{
    /// <summary>Tumbling count windows: the global window with a purging count trigger.</summary>
    public static WindowOperatorBuilder<TIn, TKey, GlobalWindow> Of<TIn, TKey>(long size, string name = "CountWindow") =>
        new WindowOperatorBuilder<TIn, TKey, GlobalWindow>(GlobalWindows.Create(), name)
            .Trigger(PurgingTrigger<TIn, GlobalWindow>.Of(CountTrigger<TIn, GlobalWindow>.Of(size)));

    /// <summary>Sliding count windows: every <paramref name="slide"/> elements, the last <paramref name="size"/> elements.</summary>
    public static WindowOperatorBuilder<TIn, TKey, GlobalWindow> Of<TIn, TKey>(long size, long slide, string name = "CountWindow") =>
        new WindowOperatorBuilder<TIn, TKey, GlobalWindow>(GlobalWindows.Create(), name)
            .Evictor(CountEvictor<TIn, GlobalWindow>.Of(size))
            .Trigger(CountTrigger<TIn, GlobalWindow>.Of(slide));
}
