namespace DataflowCompiler.Windowing.Operators;

/// <summary>
/// The interpreted path's slice aggregator: the reduce or aggregate function of the window, as its
/// <see cref="AccumulatorContents{TIn, TAcc, W}"/> applies it (one virtual call into the user function per element).
/// </summary>
internal readonly struct ContentsSliceAggregator<TIn, TAcc>(AccumulatorContents<TIn, TAcc, TimeWindow> contents) : ISliceAggregator<TIn, TAcc>
{
    public TAcc First(TIn value) => contents.Start(value);

    public TAcc Add(TAcc accumulator, TIn value) => contents.Fold(accumulator, value);

    public TAcc Merge(TAcc earlier, TAcc later) => contents.Combine(earlier, later);
}
