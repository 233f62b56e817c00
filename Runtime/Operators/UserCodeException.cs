namespace DataflowCompiler.Operators;

/// <summary>Wraps an exception thrown by user code with the operator, the subtask and the record's position.</summary>
public sealed class UserCodeException : Exception
{
    internal UserCodeException(string operatorName, string taskName, long recordNumber, Exception inner)
        : base(recordNumber > 0
            ? $"Operator '{operatorName}' in task '{taskName}' failed on its input record #{recordNumber}: {inner.GetType().Name}: {inner.Message}"
            : $"Operator '{operatorName}' in task '{taskName}' failed: {inner.GetType().Name}: {inner.Message}", inner)
    {
        OperatorName = operatorName;
        TaskName = taskName;
        RecordNumber = recordNumber;
    }

    /// <summary>True for an exception user code threw itself: not an already wrapped one, not cancellation.</summary>
    internal static bool IsUserFailure(Exception e) => e is not UserCodeException and not OperationCanceledException;

    /// <summary>The operator whose user code threw.</summary>
    public string OperatorName { get; }

    /// <summary>The subtask, as "Name (i/p)".</summary>
    public string TaskName { get; }

    /// <summary>1-based position of the record among the operator's input records in this subtask; 0 outside record processing.</summary>
    public long RecordNumber { get; }
}
