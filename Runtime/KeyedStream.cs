using System.Linq.Expressions;
using System.Numerics;
using DataflowCompiler.Functions;
using DataflowCompiler.Graph;
using DataflowCompiler.Operators;
using DataflowCompiler.Windowing;

namespace DataflowCompiler;

/// <summary>
/// A stream partitioned by key. Operators on it see one key at a time: keyed state is scoped to the
/// key of the record being processed.
/// </summary>
public sealed class KeyedStream<TKey, T> : DataStream<T>
{
    internal KeyedStream(StreamEnvironment environment, IReadOnlyList<StreamInput> inputs, Func<T, TKey> keySelector)
        : base(environment, inputs)
    {
        KeySelector = keySelector;
    }

    /// <summary>Extracts the key of a record.</summary>
    public Func<T, TKey> KeySelector { get; }

    private static TypeInfo KeyType => TypeInfo<TKey>.Instance;

    /// <summary>Rolling reduce: emits, for every record, the reduction of all records of its key so far.</summary>
    public DataStream<T> Reduce(Func<T, T, T> reduce)
    {
        ArgumentNullException.ThrowIfNull(reduce, nameof(reduce));
        return Aggregate("Reduce", reduce);
    }

    /// <summary>Rolling reduce with a function object.</summary>
    public DataStream<T> Reduce(IReduceFunction<T> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<T>("Reduce", "Reduce", () => { var f = FunctionCopy.Of(function); return new StreamGroupedReduce<TKey, T>(f.Reduce, KeySelector, f); }, KeyType);
    }

    /// <summary>Rolling sum of a field: emits the key's first record with the field set to the running sum.</summary>
    public DataStream<T> Sum<TField>(Expression<Func<T, TField>> field) where TField : INumber<TField>
    {
        var accessor = FieldAccessor<T, TField>.Create(field, "Sum");
        return Aggregate("Sum", (acc, value) => accessor.With(acc, accessor.Get(acc) + accessor.Get(value)));
    }

    /// <summary>Rolling minimum of a field: emits the key's first record with the field set to the minimum so far.</summary>
    public DataStream<T> Min<TField>(Expression<Func<T, TField>> field) where TField : IComparable<TField>
    {
        var accessor = FieldAccessor<T, TField>.Create(field, "Min");
        return Aggregate("Min", (acc, value) =>
            accessor.Get(value).CompareTo(accessor.Get(acc)) < 0 ? accessor.With(acc, accessor.Get(value)) : acc);
    }

    /// <summary>Rolling maximum of a field: emits the key's first record with the field set to the maximum so far.</summary>
    public DataStream<T> Max<TField>(Expression<Func<T, TField>> field) where TField : IComparable<TField>
    {
        var accessor = FieldAccessor<T, TField>.Create(field, "Max");
        return Aggregate("Max", (acc, value) =>
            accessor.Get(value).CompareTo(accessor.Get(acc)) > 0 ? accessor.With(acc, accessor.Get(value)) : acc);
    }

    /// <summary>Rolling MinBy: emits the record with the smallest field value so far (the first one on ties).</summary>
    public DataStream<T> MinBy<TField>(Func<T, TField> field) where TField : IComparable<TField>
    {
        ArgumentNullException.ThrowIfNull(field, nameof(field));
        return Aggregate("MinBy", (acc, value) => field(value).CompareTo(field(acc)) < 0 ? value : acc);
    }

    /// <summary>Rolling MaxBy: emits the record with the largest field value so far (the first one on ties).</summary>
    public DataStream<T> MaxBy<TField>(Func<T, TField> field) where TField : IComparable<TField>
    {
        ArgumentNullException.ThrowIfNull(field, nameof(field));
        return Aggregate("MaxBy", (acc, value) => field(value).CompareTo(field(acc)) > 0 ? value : acc);
    }

    private DataStream<T> Aggregate(string kind, Func<T, T, T> reduce) =>
        Transform<T>(kind, kind, () => new StreamGroupedReduce<TKey, T>(reduce, KeySelector, null), KeyType);

    /// <summary>Processes every record with keyed state (and, with the time features, timers) scoped to its key.</summary>
    public DataStream<TOut> Process<TOut>(KeyedProcessFunction<TKey, T, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<TOut>("KeyedProcess", "KeyedProcess", () => new KeyedProcessOperator<TKey, T, TOut>(FunctionCopy.Of(function), KeySelector), KeyType);
    }

    /// <summary>Transforms every record with a function object; a rich function gets keyed state scoped to the record's key.</summary>
    public new DataStream<TOut> Map<TOut>(IMapFunction<T, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        if (function is not IRichFunction)
        {
            return base.Map(function);
        }
        return Transform<TOut>("Map", "Map", () => { var f = FunctionCopy.Of(function); return new KeyedStreamFunction<TKey, T, TOut>(KeySelector, (v, o) => o.Collect(f.Map(v)), f); }, KeyType);
    }

    /// <summary>Emits any number of records per record; a rich function gets keyed state scoped to the record's key.</summary>
    public new DataStream<TOut> FlatMap<TOut>(IFlatMapFunction<T, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        if (function is not IRichFunction)
        {
            return base.FlatMap(function);
        }
        return Transform<TOut>("FlatMap", "FlatMap", () => { var f = FunctionCopy.Of(function); return new KeyedStreamFunction<TKey, T, TOut>(KeySelector, f.FlatMap, f); }, KeyType);
    }
    /// <summary>
    /// Cuts each key's records into windows (Flink's KeyedStream.window): <c>.Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))</c>,
    /// then a trigger, evictor or lateness if needed, then the window function.
    /// </summary>
    public WindowedStream<T, TKey, W> Window<W>(WindowAssigner<W> assigner) where W : IWindow
    {
        ArgumentNullException.ThrowIfNull(assigner, nameof(assigner));
        return new WindowedStream<T, TKey, W>(this, assigner);
    }

    /// <summary>Tumbling count windows: each key's records in groups of <paramref name="size"/>, fired when a group is full.</summary>
    public WindowedStream<T, TKey, GlobalWindow> CountWindow(long size) =>
        Window(GlobalWindows.Create()).Trigger(PurgingTrigger<T, GlobalWindow>.Of(CountTrigger<T, GlobalWindow>.Of(size)));

    /// <summary>Sliding count windows: every <paramref name="slide"/> records of a key, its last <paramref name="size"/> records.</summary>
    public WindowedStream<T, TKey, GlobalWindow> CountWindow(long size, long slide) =>
        Window(GlobalWindows.Create()).Evictor(CountEvictor<T, GlobalWindow>.Of(size)).Trigger(CountTrigger<T, GlobalWindow>.Of(slide));

    /// <summary>
    /// Joins each record of this stream with the records of <paramref name="other"/> with the same key whose timestamps lie
    /// within a bound of its own (Flink's interval join); set the bound with <see cref="IntervalJoin{TKey, T1, T2}.Between(TimeSpan, TimeSpan)"/>.
    /// Both streams need event timestamps.
    /// </summary>
    public IntervalJoin<TKey, T, T2> IntervalJoin<T2>(KeyedStream<TKey, T2> other)
    {
        RequireSameEnvironment(other, "IntervalJoin");
        return new IntervalJoin<TKey, T, T2>(this, other);
    }
}
