namespace DataflowCompiler.State;

/// <summary>How a piece of operator state is redistributed on restore; written into snapshots as one byte.</summary>
internal enum OperatorStateMode : byte
{
    /// <summary>List state: the elements of all old subtasks are divided among the new ones.</summary>
    Split = 0,

    /// <summary>Union list state: every new subtask gets the elements of all old subtasks.</summary>
    Union = 1,

    /// <summary>Broadcast state: every new subtask gets one old subtask's copy.</summary>
    Broadcast = 2,
}
