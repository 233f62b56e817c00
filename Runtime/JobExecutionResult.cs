namespace DataflowCompiler;

/// <summary>What a finished job returns: its id, how long it ran, and its accumulators.</summary>
public sealed class JobExecutionResult
{
    internal JobExecutionResult(Guid jobId, string jobName, TimeSpan netRuntime, IReadOnlyDictionary<string, long> accumulators)
    {
        JobId = jobId;
        JobName = jobName;
        NetRuntime = netRuntime;
        Accumulators = accumulators;
    }

    public Guid JobId { get; }
    public string JobName { get; }
    public TimeSpan NetRuntime { get; }

    /// <summary>Counters by name, summed over all subtasks.</summary>
    public IReadOnlyDictionary<string, long> Accumulators { get; }

    /// <summary>The value of a counter; a name no subtask used throws, naming the ones that exist.</summary>
    public long GetAccumulatorResult(string name) =>
        Accumulators.TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException($"No accumulator named '{name}'. The job has: {(Accumulators.Count == 0 ? "none" : string.Join(", ", Accumulators.Keys))}.");
}
