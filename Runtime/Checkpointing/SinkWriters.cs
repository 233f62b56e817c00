using DataflowCompiler.Sinks;

namespace DataflowCompiler.Checkpointing;

/// <summary>Prepares sink writers for the job's checkpointing mode.</summary>
internal static class SinkWriters
{
    /// <summary>Two-phase-commit writers commit at the end of input without checkpointing, and by checkpoints with it.</summary>
    public static void Prepare(object writer, bool checkpointingEnabled)
    {
        if (writer is ITwoPhaseCommitWriter transactional)
        {
            transactional.CheckpointingEnabled = checkpointingEnabled;
        }
    }
}
