namespace DataflowCompiler;

/// <summary>A long accumulator owned by one subtask; the job result holds the sum over all subtasks.</summary>
public sealed class Counter
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Add(long delta) => _value += delta;

    public void Increment() => _value++;
}
