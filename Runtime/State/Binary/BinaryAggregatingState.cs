using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State.Binary;

/// <summary>Aggregating state: one entry per (key, namespace) holding the serialized accumulator; Add is read-modify-write.</summary>
internal sealed class BinaryAggregatingState<TIn, TAcc, TOut> : BinaryKeyedState, IAggregatingState<TIn, TOut>
{
    private readonly IAggregateFunction<TIn, TAcc, TOut> _function;
    private readonly IRecordSerializer<TAcc> _serializer;

    public BinaryAggregatingState(
        AggregatingStateDescriptor<TIn, TAcc, TOut> descriptor, IRecordSerializer<TAcc> serializer, KeyContext keyContext, BinaryStateTable table)
        : base(descriptor, keyContext, table)
    {
        _function = descriptor.AggregateFunction;
        _serializer = serializer;
    }

    public bool HasValue => Table.TryGet(KeyGroup, EntryHash(), Key, Namespace, out _);

    public TOut Get()
    {
        if (!Table.TryGet(KeyGroup, EntryHash(), Key, Namespace, out var bytes))
        {
            return _function.GetResult(_function.CreateAccumulator());
        }
        var input = new DataInputView(bytes);
        return _function.GetResult(_serializer.Deserialize(ref input));
    }

    public void Add(TIn value)
    {
        int hash = EntryHash();
        TAcc accumulator;
        if (Table.TryGet(KeyGroup, hash, Key, Namespace, out var bytes))
        {
            var input = new DataInputView(bytes);
            accumulator = _serializer.Deserialize(ref input);
        }
        else
        {
            accumulator = _function.CreateAccumulator();
        }
        accumulator = _function.Add(value, accumulator);
        ValueBuffer.Clear();
        _serializer.Serialize(accumulator, ValueBuffer);
        Table.Put(KeyGroup, hash, Key, Namespace, ValueBuffer.WrittenSpan);
    }

    public void Clear() => Table.Remove(KeyGroup, EntryHash(), Key, Namespace);
}
