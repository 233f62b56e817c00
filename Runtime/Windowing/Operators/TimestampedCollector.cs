using DataflowCompiler.Functions;

namespace DataflowCompiler.Windowing.Operators;

/// <summary>Emits window results with the fired window's max timestamp (Flink's TimestampedCollector).</summary>
internal sealed class TimestampedCollector<TOut>(Action<TOut, long> emit) : ICollector<TOut>
{
    public long Timestamp { get; set; }

    public void Collect(TOut record) => emit(record, Timestamp);
}
