namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>Where an injected fault throws.</summary>
public enum FaultKind
{
    /// <summary>In a user function (<see cref="FaultyMap.Map"/>), at the <see cref="Fault.At"/>-th record it sees overall (all attempts).</summary>
    Record,

    /// <summary>In <see cref="FaultyMap.SnapshotState"/> of the first checkpoint with id ≥ <see cref="Fault.At"/>: the checkpoint is declined.</summary>
    Snapshot,

    /// <summary>In <see cref="FaultyMap.InitializeState"/> of the first attempt that restores from a checkpoint.</summary>
    Restore,

    /// <summary>In the test store sink's commit: the <see cref="Fault.At"/>-th commit overall throws, before or after it took effect.</summary>
    Commit,
}

/// <summary>One fault of a schedule; each fires at most once (see <see cref="Faults"/>).</summary>
public sealed record Fault(FaultKind Kind, int At, bool AfterCommit = false)
{
    public override string ToString() => $"new(FaultKind.{Kind}, {At}{(AfterCommit ? ", AfterCommit: true" : "")})";
}
