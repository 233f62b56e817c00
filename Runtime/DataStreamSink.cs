using DataflowCompiler.Graph;

namespace DataflowCompiler;

/// <summary>The end of a stream; sets the sink operator's parallelism, name and uid.</summary>
public sealed class DataStreamSink<T>
{
    private readonly StreamNode _node;

    internal DataStreamSink(StreamNode node) => _node = node;

    public DataStreamSink<T> SetParallelism(int parallelism)
    {
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"Parallelism of operator {_node.Description} must be at least 1.");
        }
        _node.Parallelism = parallelism;
        return this;
    }

    public DataStreamSink<T> Name(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _node.Name = name;
        return this;
    }

    public DataStreamSink<T> Uid(string uid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        _node.Uid = uid;
        return this;
    }

    public DataStreamSink<T> DisableChaining()
    {
        _node.Chaining = ChainingStrategy.Never;
        return this;
    }
}
