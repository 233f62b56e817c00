using DataflowCompiler.Sinks;
using DataflowCompiler.Time;

namespace DataflowCompiler.Runtime.Tests.Checkpointing;

/// <summary>
/// The job most checkpoint tests run: a gated source of 0..count−1 → an optional map (failure injection) → keyed state
/// and timers (<see cref="StatefulCounter"/>) → operator state (<see cref="OperatorStateProbe"/>) → the transactional
/// file sink. Its committed output is deterministic as a multiset, whatever the parallelism and however often it
/// failed, if it is exactly-once.
/// </summary>
public static class CountingJob
{
    public static OperatorStateProbe Build(StreamEnvironment env, SourceGate gate, long count, int parallelism, string output,
        int sourceParallelism = 1, bool eventTime = true, Func<long, long>? inject = null,
        CheckpointRecorder? inSourceTask = null, CheckpointRecorder? inOwnTask = null, int keys = 13)
    {
        var probe = new OperatorStateProbe();
        var source = new GatedSource<long>(i => i, count, gate);
        var numbers = (eventTime
                ? env.FromSource(source, WatermarkStrategy.ForMonotonousTimestamps<long>(x => x), "numbers")
                : env.FromSource(source, "numbers"))
            .SetParallelism(sourceParallelism).Uid("numbers");
        if (inject is not null)
        {
            numbers = numbers.Map(inject).SetParallelism(sourceParallelism).Uid("inject");
        }
        if (inSourceTask is not null)
        {
            numbers = numbers.Map(inSourceTask).SetParallelism(sourceParallelism).Uid("recorder");
        }
        if (inOwnTask is not null)
        {
            numbers = numbers.Rebalance().Map(inOwnTask).SetParallelism(sourceParallelism).Uid("own task");
        }
        numbers.KeyBy(x => x % keys)
           .Process(new StatefulCounter()).SetParallelism(parallelism).Uid("counter")
           .Map(probe).SetParallelism(parallelism).Uid("probe")
           .SinkTo(new TransactionalFileSink<string>(output)).SetParallelism(parallelism).Uid("sink");
        return probe;
    }

    public static bool IsTimer(string line) => line.StartsWith("timer", StringComparison.Ordinal);
}
