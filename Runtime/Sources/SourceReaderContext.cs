namespace DataflowCompiler.Sources;

/// <summary>What a source reader knows about the subtask it runs in.</summary>
public sealed class SourceReaderContext
{
    private readonly Action _signalAvailable;

    public SourceReaderContext(int subtaskIndex, int parallelism, string taskName, Action signalAvailable, CancellationToken cancellation)
    {
        SubtaskIndex = subtaskIndex;
        Parallelism = parallelism;
        TaskName = taskName;
        _signalAvailable = signalAvailable;
        Cancellation = cancellation;
    }

    public int SubtaskIndex { get; }
    public int Parallelism { get; }
    public string TaskName { get; }

    /// <summary>Cancelled when the task is cancelled; background readers stop on it.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Wakes the task after a poll returned <see cref="ReadStatus.NothingAvailable"/>. Thread-safe.</summary>
    public void SignalAvailable() => _signalAvailable();
}
