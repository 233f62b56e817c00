using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Partitioning;
using DataflowCompiler.Tasks;
using DataflowCompiler.Time;

namespace DataflowCompiler.Graph;

/// <summary>
/// The record type of a stream, with the generic plumbing the non-generic graph and task code
/// needs: outputs, record writers and channel readers of that type. No reflection per record.
/// </summary>
internal abstract class TypeInfo
{
    public abstract Type Type { get; }

    /// <summary>A stable, readable name of the type for chain signatures and messages.</summary>
    public string DisplayName => TypeNames.Display(Type);

    public abstract bool HasSerializer(SerializerRegistry registry);

    public abstract void CheckSerializer(SerializerRegistry registry);

    public abstract object CreateOperatorOutput(object mainOutput, Dictionary<string, object> sideOutputs);

    public abstract object CreateChainingOutput(object input);

    public abstract object CombineOutputs(IReadOnlyList<object> outputs);

    /// <param name="timestamps">The producing task's record timestamp when the edge carries timestamps (each record is prefixed with it), else null.</param>
    public abstract object CreateRecordWriterOutput(ResultPartition partition, SerializerRegistry registry, StreamPartitioner partitioner,
        int numberOfChannels, bool flushAlways, string edgeName, string taskName, RecordTimestamp? timestamps, out Action flush);

    /// <param name="timestamped">Whether the edge carries timestamps (then each record sets <paramref name="timestamps"/>).</param>
    public abstract IChannelReader CreateChannelReader(SerializerRegistry registry, object input, RecordTimestamp timestamps, bool timestamped);

    /// <summary>Forward when parallelism matches, otherwise rebalance (Flink's default).</summary>
    public abstract Func<StreamPartitioner> CreateDefaultPartitioner(bool sameParallelism);

    public override string ToString() => DisplayName;
}

internal sealed class TypeInfo<T> : TypeInfo
{
    public static readonly TypeInfo<T> Instance = new();

    private TypeInfo() { }

    public override Type Type => typeof(T);

    public override bool HasSerializer(SerializerRegistry registry) => registry.TryGet<T>(out _);

    public override void CheckSerializer(SerializerRegistry registry) => registry.Get<T>();

    public override object CreateOperatorOutput(object mainOutput, Dictionary<string, object> sideOutputs) =>
        new OperatorOutput<T>((IOutput<T>)mainOutput, sideOutputs);

    public override object CreateChainingOutput(object input) => new ChainingOutput<T>((IInput<T>)input);

    public override object CombineOutputs(IReadOnlyList<object> outputs) => outputs.Count switch
    {
        0 => DiscardingOutput<T>.Instance,
        1 => outputs[0],
        _ => new BroadcastingOutput<T>(outputs.Cast<IOutput<T>>().ToArray()),
    };

    public override object CreateRecordWriterOutput(ResultPartition partition, SerializerRegistry registry, StreamPartitioner partitioner,
        int numberOfChannels, bool flushAlways, string edgeName, string taskName, RecordTimestamp? timestamps, out Action flush)
    {
        var serializer = registry.Get<T>();
        var writer = new RecordWriter<T>(partition, timestamps is null ? serializer : new TimestampedRecordSerializer<T>(serializer, timestamps), flushAlways);
        flush = writer.Flush;
        return new RecordWriterOutput<T>(writer, (StreamPartitioner<T>)partitioner, numberOfChannels, edgeName, taskName);
    }

    public override Func<StreamPartitioner> CreateDefaultPartitioner(bool sameParallelism) =>
        sameParallelism ? static () => new ForwardPartitioner<T>() : static () => new RebalancePartitioner<T>();

    public override IChannelReader CreateChannelReader(SerializerRegistry registry, object input, RecordTimestamp timestamps, bool timestamped) =>
        input is Fusion.FusedInput<T> fused
            ? timestamped
                ? new Fusion.FusedChannelReader<T>(new RecordDeserializer<T>(new TimestampedRecordSerializer<T>(registry.Get<T>(), timestamps)), fused, null)
                : new Fusion.FusedChannelReader<T>(new RecordDeserializer<T>(registry.Get<T>()), fused, timestamps)
            : timestamped
                ? new ChannelReader<T>(new RecordDeserializer<T>(new TimestampedRecordSerializer<T>(registry.Get<T>(), timestamps)), (IInput<T>)input, null)
                : new ChannelReader<T>(new RecordDeserializer<T>(registry.Get<T>()), (IInput<T>)input, timestamps);
}
