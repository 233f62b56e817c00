using DataflowCompiler.Functions;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Partitioning;

/// <summary>Each producer sends to the consumer with the same index (pointwise, equal parallelism).</summary>
internal sealed class ForwardPartitioner<T> : StreamPartitioner<T>
{
    public override string Kind => "forward";
    public override bool IsPointwise => true;
    public override int SelectChannel(T record, int numberOfChannels) => 0;
}

/// <summary>Round-robin over all consumers.</summary>
internal sealed class RebalancePartitioner<T> : StreamPartitioner<T>
{
    private int _next;

    public override string Kind => "rebalance";

    // Start at a different channel per producer so producers do not all hit consumer 0 first.
    public override void Setup(int numberOfChannels, int subtaskIndex, int downstreamMaxParallelism) => _next = subtaskIndex % numberOfChannels;

    public override int SelectChannel(T record, int numberOfChannels)
    {
        int channel = _next;
        _next = channel + 1 == numberOfChannels ? 0 : channel + 1;
        return channel;
    }
}

/// <summary>Round-robin over the consumers this producer is connected to pointwise.</summary>
internal sealed class RescalePartitioner<T> : StreamPartitioner<T>
{
    private int _next = -1;

    public override string Kind => "rescale";
    public override bool IsPointwise => true;

    public override int SelectChannel(T record, int numberOfChannels)
    {
        _next = _next + 1 >= numberOfChannels ? 0 : _next + 1;
        return _next;
    }
}

/// <summary>Uniformly random consumer.</summary>
internal sealed class ShufflePartitioner<T> : StreamPartitioner<T>
{
    private Random _random = new(0);

    public override string Kind => "shuffle";

    public override void Setup(int numberOfChannels, int subtaskIndex, int downstreamMaxParallelism) => _random = new Random(subtaskIndex * 7919 + 17);

    public override int SelectChannel(T record, int numberOfChannels) => _random.Next(numberOfChannels);
}

/// <summary>Every record to every consumer.</summary>
internal sealed class BroadcastPartitioner<T> : StreamPartitioner<T>
{
    public override string Kind => "broadcast";
    public override bool IsBroadcast => true;
    public override int SelectChannel(T record, int numberOfChannels) =>
        throw new InvalidOperationException("Broadcast edges send every record to every channel.");
}

/// <summary>Everything to the first consumer.</summary>
internal sealed class GlobalPartitioner<T> : StreamPartitioner<T>
{
    public override string Kind => "global";
    public override int SelectChannel(T record, int numberOfChannels) => 0;
}

/// <summary>
/// KeyBy: serializes the key, hashes the bytes to a key group and sends the record to the subtask
/// that owns the key group (DESIGN §7). Allocation-free per record.
/// </summary>
internal sealed class KeyGroupStreamPartitioner<T, TKey>(Func<T, TKey> keySelector, IRecordSerializer<TKey> keySerializer) : StreamPartitioner<T>
{
    private Fusion.KeyGroupChannelSelector<TKey> _selector = null!;

    public override string Kind => "hash";

    public override void Setup(int numberOfChannels, int subtaskIndex, int downstreamMaxParallelism) =>
        _selector = new(keySerializer, downstreamMaxParallelism, numberOfChannels);

    public override int SelectChannel(T record, int numberOfChannels)
    {
        TKey key;
        try
        {
            key = keySelector(record);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new KeySelectorException(e);
        }
        return _selector.SelectChannel(key);
    }
}

/// <summary>PartitionCustom: the user's partitioner picks the channel from the record's key.</summary>
internal sealed class CustomPartitionerWrapper<T, TKey>(IPartitioner<TKey> partitioner, Func<T, TKey> keySelector) : StreamPartitioner<T>
{
    public override string Kind => "custom";

    public override int SelectChannel(T record, int numberOfChannels)
    {
        int channel;
        try
        {
            channel = partitioner.Partition(keySelector(record), numberOfChannels);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new KeySelectorException(e);
        }
        if ((uint)channel >= (uint)numberOfChannels)
        {
            throw new InvalidOperationException(
                $"Custom partitioner {partitioner.GetType().Name} returned partition {channel}, but there are only {numberOfChannels} partitions (0..{numberOfChannels - 1}).");
        }
        return channel;
    }
}

/// <summary>A key selector (or custom partitioner) threw while a record was being routed.</summary>
internal sealed class KeySelectorException(Exception inner)
    : Exception($"The key selector threw {inner.GetType().Name}: {inner.Message}", inner);
