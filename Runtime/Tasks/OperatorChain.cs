using DataflowCompiler.Graph;
using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.Network;
using DataflowCompiler.Operators;
using DataflowCompiler.Time;

namespace DataflowCompiler.Tasks;

/// <summary>
/// The operators of one subtask of a chain, wired together: chained operators call each other
/// directly; edges leaving the chain go through record writers; input channels feed the head(s).
/// </summary>
internal sealed class OperatorChain
{
    private readonly List<StreamOperator> _operators = new(); // head first
    private readonly List<Action> _flushes = new();

    public OperatorChain(JobVertex vertex, int subtaskIndex, IReadOnlyList<ResultPartition> partitions, IReadOnlyList<(JobEdge Edge, int Channels)> outputs,
        SerializerRegistry serializers, MemorySegmentPool managedMemory, Func<string, Counter> counters, bool flushAlways, CancellationToken cancellation,
        TimeProvider? timeProvider = null, TimeSpan? autoWatermarkInterval = null, Func<Fusion.FusedChain>? fusedChain = null,
        IReadOnlyDictionary<string, Checkpointing.OperatorRestoreState>? restore = null, bool checkpointingEnabled = false)
    {
        TaskName = $"{vertex.Name} ({subtaskIndex + 1}/{vertex.Parallelism})";
        Time = new TaskTimeServices(timeProvider ?? TimeProvider.System, autoWatermarkInterval ?? TaskTimeServices.DefaultAutoWatermarkInterval);
        if (fusedChain is not null)
        {
            // Fusion hook (docs/fusion.md): one generated object stands for every operator of the chain.
            var fusedContext = new Fusion.FusedChainContext(vertex, subtaskIndex, TaskName, partitions, outputs,
                serializers, managedMemory, counters, flushAlways, cancellation, Time, restore, checkpointingEnabled);
            var fused = Fusion.FusedChainRegistry.CreateOperator(fusedChain, fusedContext, vertex);
            var processingTime = Time.ProcessingTime;
            fusedContext.TimerService = new Fusion.FusedTimerService(() => processingTime.CurrentProcessingTime, () => fused.ChainWatermark, TaskName);
            _operators.Add(fused);
            _flushes.Add(fused.FlushOutputs);
            Operators = vertex.Operators.ToDictionary(n => n, _ => (StreamOperator)fused);
            return;
        }
        var operators = new Dictionary<StreamNode, StreamOperator>();
        foreach (var node in vertex.Operators)
        {
            var op = node.OperatorFactory();
            op.Name = node.Name;
            string operatorId = Checkpointing.OperatorIds.Of(node);
            op.Setup(new OperatorContext(node.Name, TaskName, subtaskIndex, node.ResolvedParallelism, node.ResolvedMaxParallelism,
                serializers, managedMemory, counters, cancellation, Time, operatorId, restore?.GetValueOrDefault(operatorId))
            {
                CheckpointingEnabled = checkpointingEnabled,
            });
            operators[node] = op;
            _operators.Add(op);
        }
        Operators = operators;

        // Outputs leaving the chain: one record writer per job edge.
        var networkOutputs = new Dictionary<StreamEdge, object>();
        for (int i = 0; i < outputs.Count; i++)
        {
            var (edge, channels) = outputs[i];
            var streamEdge = edge.StreamEdge;
            var partitioner = streamEdge.Partitioner();
            partitioner.Setup(channels, subtaskIndex, streamEdge.Target.ResolvedMaxParallelism);
            string edgeName = partitioner.Kind == "hash" ? $"KeyBy before {streamEdge.Target.Description}" : streamEdge.Description;
            networkOutputs[streamEdge] = streamEdge.Type.CreateRecordWriterOutput(partitions[i], serializers, partitioner, channels, flushAlways,
                edgeName, TaskName, streamEdge.Source.CarriesTimestamps ? Time.RecordTimestamp : null, out var flush);
            _flushes.Add(flush);
        }

        // Wire each operator's output, from the tail backwards so targets exist.
        for (int i = vertex.Operators.Count - 1; i >= 0; i--)
        {
            var node = vertex.Operators[i];
            var main = new List<object>();
            var sides = new Dictionary<string, List<object>>();
            foreach (var edge in node.OutEdges)
            {
                object output = vertex.ChainedEdges.Contains(edge)
                    ? edge.Type.CreateChainingOutput(operators[edge.Target].GetInput(edge.InputIndex))
                    : networkOutputs[edge];
                if (edge.SideOutputTag is { } tag)
                {
                    if (!sides.TryGetValue(tag, out var list))
                    {
                        sides[tag] = list = new List<object>();
                    }
                    list.Add(output);
                }
                else
                {
                    main.Add(output);
                }
            }
            var sideOutputs = new Dictionary<string, object>();
            foreach (var (tag, list) in sides)
            {
                var type = node.OutEdges.First(e => e.SideOutputTag == tag).Type;
                sideOutputs[tag] = type.CombineOutputs(list);
            }
            operators[node].SetOutput(node.OutputType.CreateOperatorOutput(node.OutputType.CombineOutputs(main), sideOutputs));
        }
    }

    public string TaskName { get; }

    /// <summary>The task's record timestamp, processing-time timers and time settings, shared by its operators.</summary>
    public TaskTimeServices Time { get; }

    /// <summary>The reader of one input channel of <paramref name="edge"/>, feeding <paramref name="input"/> (an operator input of this chain).</summary>
    public IChannelReader CreateChannelReader(StreamEdge edge, SerializerRegistry serializers, object input) =>
        edge.Type.CreateChannelReader(serializers, input, Time.RecordTimestamp, edge.Source.CarriesTimestamps);

    public IReadOnlyDictionary<StreamNode, StreamOperator> Operators { get; }

    public StreamOperator Head => _operators[0];

    /// <summary>Gives user functions their operator state (restored or empty), tail first like <see cref="Open"/>.</summary>
    public void InitializeState()
    {
        for (int i = _operators.Count - 1; i >= 0; i--)
        {
            _operators[i].InitializeState();
        }
    }

    /// <summary>The synchronous phase of a checkpoint for every operator, head first.</summary>
    public List<Checkpointing.OperatorSnapshot> SnapshotState(Checkpointing.CheckpointBarrier barrier, Checkpointing.TaskCheckpointing checkpointing)
    {
        var snapshots = new List<Checkpointing.OperatorSnapshot>(_operators.Count);
        try
        {
            foreach (var op in _operators)
            {
                op.SnapshotState(barrier, checkpointing, snapshots);
            }
        }
        catch
        {
            // The checkpoint is declined: what the earlier operators pinned is released again.
            foreach (var snapshot in snapshots)
            {
                snapshot.Keyed?.Release();
            }
            throw;
        }
        return snapshots;
    }

    public void NotifyCheckpointComplete(long checkpointId)
    {
        foreach (var op in _operators)
        {
            op.NotifyCheckpointComplete(checkpointId);
        }
    }

    public void NotifyCheckpointAborted(long checkpointId)
    {
        foreach (var op in _operators)
        {
            op.NotifyCheckpointAborted(checkpointId);
        }
    }

    /// <summary>Opens operators tail first, so every operator's successors are ready when it opens.</summary>
    public void Open()
    {
        for (int i = _operators.Count - 1; i >= 0; i--)
        {
            _operators[i].Open();
        }
    }

    /// <summary>End of input: finishes operators head first, so what an operator emits while finishing reaches finished successors last.</summary>
    public void Finish()
    {
        foreach (var op in _operators)
        {
            op.Finish();
        }
    }

    public void FlushOutputs()
    {
        foreach (var flush in _flushes)
        {
            flush();
        }
    }

    /// <summary>Closes every operator, head first; collects failures instead of stopping at the first.</summary>
    public List<Exception> Close()
    {
        var errors = new List<Exception>();
        foreach (var op in _operators)
        {
            try
            {
                op.Close();
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }
        return errors;
    }
}
