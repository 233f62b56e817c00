using DataflowCompiler.Functions;
using DataflowCompiler.Graph;
using DataflowCompiler.Operators;
using DataflowCompiler.Partitioning;
using DataflowCompiler.Sinks;
using DataflowCompiler.Time;
using DataflowCompiler.Windowing;

namespace DataflowCompiler;

/// <summary>
/// A stream of records of type <typeparamref name="T"/>: the output of an operator, a side output,
/// a repartitioned stream or a union. Transformations return new streams; settings such as
/// <see cref="SetParallelism"/> apply to the operator that produces this stream.
/// </summary>
public class DataStream<T>
{
    internal DataStream(StreamEnvironment environment, StreamNode node)
        : this(environment, new[] { new StreamInput(node, null, null) })
    {
    }

    internal DataStream(StreamEnvironment environment, IReadOnlyList<StreamInput> inputs)
    {
        Environment = environment;
        Inputs = inputs;
    }

    /// <summary>The environment the stream belongs to.</summary>
    public StreamEnvironment Environment { get; }

    /// <summary>Where the records come from: operators (or their side outputs) and how they are partitioned.</summary>
    internal IReadOnlyList<StreamInput> Inputs { get; }

    /// <summary>The operator producing this stream, if the stream is exactly one operator's main output.</summary>
    internal StreamNode? OperatorNode => Inputs is [{ SideOutputTag: null, Partitioner: null } only] ? only.Node : null;

    private StreamNode RequireOperator(string setting) => OperatorNode ?? throw new InvalidOperationException(
        $"{setting} applies to an operator, but this stream is {Describe()}. Call it right after the operator (Map, Filter, Process, ...).");

    private string Describe() => Inputs.Count > 1 ? "a union of streams"
        : Inputs[0].SideOutputTag is { } tag ? $"the side output '{tag}' of {Inputs[0].Node.Description}"
        : $"a repartitioning of {Inputs[0].Node.Description}";

    // ---------------------------------------------------------------- operator settings

    /// <summary>Sets the number of parallel subtasks of the operator producing this stream.</summary>
    public DataStream<T> SetParallelism(int parallelism)
    {
        var node = RequireOperator(nameof(SetParallelism));
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"Parallelism of operator {node.Description} must be at least 1.");
        }
        if (parallelism > node.ParallelismLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism,
                $"Operator {node.Description} is not parallel; its parallelism can be at most {node.ParallelismLimit}." +
                (node.Kind == "Window" ? " WindowAll runs in one subtask, as in Flink; to window in parallel, KeyBy the stream and use Window." : ""));
        }
        node.Parallelism = parallelism;
        return this;
    }

    /// <summary>Sets the max parallelism (number of key groups) of the operator producing this stream.</summary>
    public DataStream<T> SetMaxParallelism(int maxParallelism)
    {
        var node = RequireOperator(nameof(SetMaxParallelism));
        if (maxParallelism < 1 || maxParallelism > State.KeyGroupRangeAssignment.UpperBoundMaxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism,
                $"Max parallelism of operator {node.Description} must be between 1 and {State.KeyGroupRangeAssignment.UpperBoundMaxParallelism}.");
        }
        node.MaxParallelism = maxParallelism;
        return this;
    }

    /// <summary>Gives the operator a stable id; savepoints match operator state by it.</summary>
    public DataStream<T> Uid(string uid)
    {
        var node = RequireOperator(nameof(Uid));
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        node.Uid = uid;
        return this;
    }

    /// <summary>Names the operator (shown in task names, logs and errors).</summary>
    public DataStream<T> Name(string name)
    {
        var node = RequireOperator(nameof(Name));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        node.Name = name;
        return this;
    }

    /// <summary>Keeps the operator out of any chain.</summary>
    public DataStream<T> DisableChaining()
    {
        RequireOperator(nameof(DisableChaining)).Chaining = ChainingStrategy.Never;
        return this;
    }

    /// <summary>Starts a new chain at this operator; its successors may still chain to it.</summary>
    public DataStream<T> StartNewChain()
    {
        RequireOperator(nameof(StartNewChain)).Chaining = ChainingStrategy.Head;
        return this;
    }

    /// <summary>Puts the operator in a slot sharing group; operators of different groups are never chained.</summary>
    public DataStream<T> SlotSharingGroup(string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        RequireOperator(nameof(SlotSharingGroup)).SlotSharingGroup = group;
        return this;
    }

    // ---------------------------------------------------------------- transformations

    /// <summary>Transforms every record.</summary>
    public DataStream<TOut> Map<TOut>(Func<T, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(map, nameof(map));
        return Transform<TOut>("Map", "Map", () => new StreamMap<T, TOut>(map, null));
    }

    /// <summary>Transforms every record with a function object (which may implement <see cref="IRichFunction"/>).</summary>
    public DataStream<TOut> Map<TOut>(IMapFunction<T, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<TOut>("Map", "Map", () => { var f = FunctionCopy.Of(function); return new StreamMap<T, TOut>(f.Map, f); });
    }

    /// <summary>Keeps the records for which the predicate is true.</summary>
    public DataStream<T> Filter(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate, nameof(predicate));
        return Transform<T>("Filter", "Filter", () => new StreamFilter<T>(predicate, null));
    }

    /// <summary>Keeps the records the function accepts.</summary>
    public DataStream<T> Filter(IFilterFunction<T> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<T>("Filter", "Filter", () => { var f = FunctionCopy.Of(function); return new StreamFilter<T>(f.Filter, f); });
    }

    /// <summary>Emits any number of records per record through the collector.</summary>
    public DataStream<TOut> FlatMap<TOut>(Action<T, ICollector<TOut>> flatMap)
    {
        ArgumentNullException.ThrowIfNull(flatMap, nameof(flatMap));
        return Transform<TOut>("FlatMap", "FlatMap", () => new StreamFlatMap<T, TOut>(flatMap, null));
    }

    /// <summary>Emits the records of the returned sequence for each record.</summary>
    public DataStream<TOut> FlatMap<TOut>(Func<T, IEnumerable<TOut>> flatMap)
    {
        ArgumentNullException.ThrowIfNull(flatMap, nameof(flatMap));
        return Transform<TOut>("FlatMap", "FlatMap", () => new StreamFlatMap<T, TOut>((value, output) =>
        {
            foreach (var item in flatMap(value))
            {
                output.Collect(item);
            }
        }, null));
    }

    /// <summary>Emits any number of records per record with a function object.</summary>
    public DataStream<TOut> FlatMap<TOut>(IFlatMapFunction<T, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<TOut>("FlatMap", "FlatMap", () => { var f = FunctionCopy.Of(function); return new StreamFlatMap<T, TOut>(f.FlatMap, f); });
    }

    /// <summary>Processes every record with a <see cref="ProcessFunction{TIn,TOut}"/> (side outputs through its context).</summary>
    public DataStream<TOut> Process<TOut>(ProcessFunction<T, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function, nameof(function));
        return Transform<TOut>("Process", "Process", () => new ProcessOperator<T, TOut>(FunctionCopy.Of(function)));
    }

    /// <summary>
    /// Gives every record a timestamp from <paramref name="strategy"/> and generates watermarks from here on
    /// (periodically and/or per record); watermarks from upstream are dropped, except the final one of a finished input.
    /// Prefer a strategy at the source (<see cref="StreamEnvironment.FromSource{T}(Sources.ISource{T}, WatermarkStrategy{T}, string?)"/>).
    /// </summary>
    public DataStream<T> AssignTimestampsAndWatermarks(WatermarkStrategy<T> strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy, nameof(strategy));
        var graph = Environment.Graph;
        var node = graph.AddNode(new StreamNode(graph.NextId, "TimestampsAndWatermarks", "Timestamps/Watermarks", TypeInfo<T>.Instance,
            new TypeInfo[] { TypeInfo<T>.Instance }, () => new TimestampsAndWatermarksOperator<T>(strategy))
        {
            AssignsTimestamps = true,
        });
        Wire(node, 1);
        return new DataStream<T>(Environment, node);
    }

    /// <summary>The records this stream's operator emitted to the side output <paramref name="tag"/>.</summary>
    public DataStream<TSide> GetSideOutput<TSide>(OutputTag<TSide> tag)
    {
        ArgumentNullException.ThrowIfNull(tag, nameof(tag));
        var node = RequireOperator(nameof(GetSideOutput));
        return new DataStream<TSide>(Environment, new[] { new StreamInput(node, tag.Id, null) });
    }

    /// <summary>Partitions the stream by key: records with equal keys go to the same subtask, where keyed state is scoped to the key.</summary>
    public KeyedStream<TKey, T> KeyBy<TKey>(Func<T, TKey> keySelector)
    {
        ArgumentNullException.ThrowIfNull(keySelector, nameof(keySelector));
        return new KeyedStream<TKey, T>(Environment, Repartition(KeyByPartitioner(keySelector)), keySelector);
    }

    internal Func<StreamPartitioner> KeyByPartitioner<TKey>(Func<T, TKey> keySelector)
    {
        var serializers = Environment.Serializers;
        return () => new KeyGroupStreamPartitioner<T, TKey>(keySelector, serializers.Get<TKey>());
    }

    /// <summary>Merges streams of the same type (no deduplication, no order across inputs).</summary>
    public DataStream<T> Union(params DataStream<T>[] others)
    {
        ArgumentNullException.ThrowIfNull(others, nameof(others));
        var inputs = new List<StreamInput>(Inputs);
        foreach (var other in others)
        {
            if (other is null)
            {
                throw new ArgumentNullException(nameof(others), "Union got a null stream.");
            }
            if (other.Environment != Environment)
            {
                throw new ArgumentException("Union needs streams of the same environment.", nameof(others));
            }
            inputs.AddRange(other.Inputs);
        }
        return new DataStream<T>(Environment, inputs);
    }

    /// <summary>Connects two streams of possibly different types for a CoMap, CoFlatMap or CoProcess.</summary>
    public ConnectedStreams<T, T2> Connect<T2>(DataStream<T2> other)
    {
        RequireSameEnvironment(other, "Connect");
        return new ConnectedStreams<T, T2>(Environment, this, other);
    }

    /// <summary>
    /// Cuts the whole stream into windows, without a key (Flink's windowAll). The window operator runs in one subtask
    /// (parallelism 1); to window in parallel, use <see cref="KeyBy{TKey}"/> and <see cref="KeyedStream{TKey, T}.Window{W}"/>.
    /// </summary>
    public AllWindowedStream<T, W> WindowAll<W>(WindowAssigner<W> assigner) where W : IWindow
    {
        ArgumentNullException.ThrowIfNull(assigner, nameof(assigner));
        return new AllWindowedStream<T, W>(this, assigner);
    }

    /// <summary>Tumbling count windows over the whole stream (one subtask): groups of <paramref name="size"/> records.</summary>
    public AllWindowedStream<T, GlobalWindow> CountWindowAll(long size) =>
        WindowAll(GlobalWindows.Create()).Trigger(PurgingTrigger<T, GlobalWindow>.Of(CountTrigger<T, GlobalWindow>.Of(size)));

    /// <summary>Sliding count windows over the whole stream (one subtask): every <paramref name="slide"/> records, the last <paramref name="size"/>.</summary>
    public AllWindowedStream<T, GlobalWindow> CountWindowAll(long size, long slide) =>
        WindowAll(GlobalWindows.Create()).Evictor(CountEvictor<T, GlobalWindow>.Of(size)).Trigger(CountTrigger<T, GlobalWindow>.Of(slide));

    /// <summary>
    /// Joins this stream with <paramref name="other"/> in windows (Flink's window join):
    /// <c>a.Join(b).Where(x =&gt; x.Id).EqualTo(y =&gt; y.Id).Window(assigner).Apply((x, y) =&gt; ...)</c> emits every pair with
    /// equal keys in the same window.
    /// </summary>
    public JoinedStreams<T, T2> Join<T2>(DataStream<T2> other)
    {
        RequireSameEnvironment(other, "Join");
        return new JoinedStreams<T, T2>(this, other);
    }

    /// <summary>
    /// Groups this stream and <paramref name="other"/> by key and window and hands both groups to a co-group function
    /// (Flink's coGroup): <c>a.CoGroup(b).Where(...).EqualTo(...).Window(assigner).Apply(function)</c>.
    /// </summary>
    public CoGroupedStreams<T, T2> CoGroup<T2>(DataStream<T2> other)
    {
        RequireSameEnvironment(other, "CoGroup");
        return new CoGroupedStreams<T, T2>(this, other);
    }

    /// <summary>Throws unless <paramref name="other"/> is a stream of this stream's environment.</summary>
    internal void RequireSameEnvironment<TOther>(DataStream<TOther> other, string operation)
    {
        ArgumentNullException.ThrowIfNull(other, nameof(other));
        if (other.Environment != Environment)
        {
            throw new ArgumentException($"{operation} needs streams of the same environment.", nameof(other));
        }
    }

    // ---------------------------------------------------------------- partitioning

    /// <summary>Each subtask sends to the downstream subtask of the same index (needs equal parallelism).</summary>
    public DataStream<T> Forward() => new(Environment, Repartition(() => new ForwardPartitioner<T>()));

    /// <summary>Sends each record to a uniformly random downstream subtask.</summary>
    public DataStream<T> Shuffle() => new(Environment, Repartition(() => new ShufflePartitioner<T>()));

    /// <summary>Round-robin over all downstream subtasks.</summary>
    public DataStream<T> Rebalance() => new(Environment, Repartition(() => new RebalancePartitioner<T>()));

    /// <summary>Round-robin over a local subset of downstream subtasks (pointwise).</summary>
    public DataStream<T> Rescale() => new(Environment, Repartition(() => new RescalePartitioner<T>()));

    /// <summary>Sends every record to every downstream subtask.</summary>
    public DataStream<T> Broadcast() => new(Environment, Repartition(() => new BroadcastPartitioner<T>()));

    /// <summary>Sends every record to the first downstream subtask.</summary>
    public DataStream<T> Global() => new(Environment, Repartition(() => new GlobalPartitioner<T>()));

    /// <summary>The user's partitioner picks the downstream subtask from the record's key.</summary>
    public DataStream<T> PartitionCustom<TKey>(IPartitioner<TKey> partitioner, Func<T, TKey> keySelector)
    {
        ArgumentNullException.ThrowIfNull(partitioner, nameof(partitioner));
        ArgumentNullException.ThrowIfNull(keySelector, nameof(keySelector));
        return new DataStream<T>(Environment, Repartition(() => new CustomPartitionerWrapper<T, TKey>(partitioner, keySelector)));
    }

    private StreamInput[] Repartition(Func<StreamPartitioner> partitioner) =>
        Inputs.Select(i => i with { Partitioner = partitioner }).ToArray();

    // ---------------------------------------------------------------- sinks

    /// <summary>Writes the stream to a sink.</summary>
    public DataStreamSink<T> SinkTo(ISink<T> sink)
    {
        ArgumentNullException.ThrowIfNull(sink, nameof(sink));
        var graph = Environment.Graph;
        var node = graph.AddNode(new StreamNode(graph.NextId, "Sink", $"Sink: {sink.Name}", TypeInfo<T>.Instance,
            new TypeInfo[] { TypeInfo<T>.Instance }, () => new SinkOperator<T>(sink))
        {
            IsSink = true,
        });
        Wire(node, 1);
        return new DataStreamSink<T>(node);
    }

    /// <summary>Prints every record (with "n&gt; " before it when the sink runs in parallel).</summary>
    public DataStreamSink<T> Print() => SinkTo(new PrintSink<T>());

    /// <summary>Writes every record's text to a file (or, in parallel, to part files in a directory).</summary>
    public DataStreamSink<T> WriteAsText(string path) => SinkTo(new TextFileSink<T>(path));

    /// <summary>Collects every record in memory; read <see cref="CollectSink{T}.Results"/> after the job finished.</summary>
    public CollectSink<T> CollectToList()
    {
        var sink = new CollectSink<T>();
        SinkTo(sink);
        return sink;
    }

    // ---------------------------------------------------------------- plumbing

    internal DataStream<TOut> Transform<TOut>(string kind, string name, Func<StreamOperator> factory, TypeInfo? keyType = null)
    {
        var graph = Environment.Graph;
        var node = graph.AddNode(new StreamNode(graph.NextId, kind, name, TypeInfo<TOut>.Instance,
            new TypeInfo[] { TypeInfo<T>.Instance }, factory)
        { KeyType = keyType });
        Wire(node, 1);
        return new DataStream<TOut>(Environment, node);
    }

    /// <summary>Connects this stream's inputs to input <paramref name="inputIndex"/> of <paramref name="node"/>.</summary>
    internal void Wire(StreamNode node, int inputIndex)
    {
        foreach (var input in Inputs)
        {
            if (!Environment.Graph.Nodes.Contains(input.Node))
            {
                throw new InvalidOperationException(
                    $"Operator {input.Node.Description} belongs to a job that was already executed; define the pipeline again for a new job.");
            }
            StreamGraph.Connect(new StreamEdge(input.Node, node, inputIndex, input.SideOutputTag, TypeInfo<T>.Instance, input.Partitioner));
        }
    }
}

/// <summary>One producer of a stream: an operator, optionally one of its side outputs, and how the records are partitioned.</summary>
internal sealed record StreamInput(StreamNode Node, string? SideOutputTag, Func<StreamPartitioner>? Partitioner);
