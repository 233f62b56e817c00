using DataflowCompiler.Functions;
using DataflowCompiler.Network;
using DataflowCompiler.Partitioning;
using DataflowCompiler.Time;

namespace DataflowCompiler.Operators;

/// <summary>Hands a record straight to the next operator of the chain: a direct call, no buffer.</summary>
internal sealed class ChainingOutput<T>(IInput<T> next) : IOutput<T>
{
    public void Collect(T record) => next.ProcessElement(record);

    public void EmitWatermark(Watermark watermark) => next.ProcessWatermark(watermark);

    public void EmitWatermarkStatus(WatermarkStatus status) => next.ProcessWatermarkStatus(status);
}

/// <summary>Hands a record to several outputs (a chain that fans out, or several network edges).</summary>
internal sealed class BroadcastingOutput<T>(IOutput<T>[] outputs) : IOutput<T>
{
    public void Collect(T record)
    {
        foreach (var output in outputs)
        {
            output.Collect(record);
        }
    }

    public void EmitWatermark(Watermark watermark)
    {
        foreach (var output in outputs)
        {
            output.EmitWatermark(watermark);
        }
    }

    public void EmitWatermarkStatus(WatermarkStatus status)
    {
        foreach (var output in outputs)
        {
            output.EmitWatermarkStatus(status);
        }
    }
}

/// <summary>Drops records (an operator whose output nobody consumes, such as a sink).</summary>
internal sealed class DiscardingOutput<T> : IOutput<T>
{
    public static readonly DiscardingOutput<T> Instance = new();

    public void Collect(T record) { }

    public void EmitWatermark(Watermark watermark) { }

    public void EmitWatermarkStatus(WatermarkStatus status) { }
}

/// <summary>Serializes records into a network edge, choosing the subpartition with the edge's partitioner.</summary>
internal sealed class RecordWriterOutput<T>(RecordWriter<T> writer, StreamPartitioner<T> partitioner, int numberOfChannels,
    string edgeName, string taskName) : IOutput<T>
{
    private readonly bool _broadcast = partitioner.IsBroadcast;
    private long _recordsOut;

    public void Collect(T record)
    {
        _recordsOut++;
        if (_broadcast)
        {
            writer.Broadcast(record);
            return;
        }
        int channel;
        try
        {
            channel = partitioner.SelectChannel(record, numberOfChannels);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new UserCodeException(edgeName, taskName, _recordsOut, e is KeySelectorException ? e.InnerException! : e);
        }
        writer.Emit(record, channel);
    }

    /// <summary>Sends the watermark to every consumer subtask, after the records written so far.</summary>
    public void EmitWatermark(Watermark watermark) => writer.Partition.BroadcastEvent(watermark);

    public void EmitWatermarkStatus(WatermarkStatus status) => writer.Partition.BroadcastEvent(status);
}

/// <summary>
/// The output an operator writes to: its main output plus the side outputs consumers asked for.
/// Side-output records nobody consumes are dropped, as in Flink.
/// </summary>
internal sealed class OperatorOutput<T> : IOutput<T>, ICollector<T>
{
    private readonly IOutput<T> _main;
    private readonly Dictionary<string, object> _sideOutputs;

    public OperatorOutput(IOutput<T> main, Dictionary<string, object> sideOutputs)
    {
        _main = main;
        _sideOutputs = sideOutputs;
    }

    public void Collect(T record) => _main.Collect(record);

    /// <summary>Watermarks go to the main output and to every consumed side output.</summary>
    public void EmitWatermark(Watermark watermark)
    {
        _main.EmitWatermark(watermark);
        foreach (var output in _sideOutputs.Values)
        {
            ((IEventOutput)output).EmitWatermark(watermark);
        }
    }

    public void EmitWatermarkStatus(WatermarkStatus status)
    {
        _main.EmitWatermarkStatus(status);
        foreach (var output in _sideOutputs.Values)
        {
            ((IEventOutput)output).EmitWatermarkStatus(status);
        }
    }

    public void CollectSide<TSide>(OutputTag<TSide> tag, TSide record)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (_sideOutputs.TryGetValue(tag.Id, out var output))
        {
            ((IOutput<TSide>)output).Collect(record);
        }
    }
}
