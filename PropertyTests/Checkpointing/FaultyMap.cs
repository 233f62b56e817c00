using DataflowCompiler.Functions;

namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>Passes records on unchanged; throws where the <see cref="Faults"/> schedule says (records, snapshots, restores).</summary>
public sealed class FaultyMap : IMapFunction<Event, Event>, ICheckpointedFunction
{
    public Event Map(Event value)
    {
        Faults.OnRecord();
        return value;
    }

    public void SnapshotState(FunctionSnapshotContext context) => Faults.OnSnapshot(context.CheckpointId);

    public void InitializeState(FunctionInitializationContext context) => Faults.OnInitialize(context.IsRestored);
}
