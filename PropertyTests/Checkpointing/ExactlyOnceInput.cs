using DataflowCompiler.Sinks;

namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>
/// What a run of an exactly-once catalogue job reads: its inputs, its constants and its sink. The jobs are compiled
/// (and fused) once; their lambdas read these static fields, which keeps them non-capturing. Runs are sequential.
/// </summary>
public static class ExactlyOnceInput
{
    /// <summary>The first (for most jobs the only) source's records.</summary>
    public static Event[] Records = [];

    /// <summary>The second source's records (the union job).</summary>
    public static Event[] Second = [];

    /// <summary>The filter of <see cref="MapFilterReduce"/> drops values divisible by this.</summary>
    public static long M = 3;

    /// <summary>Event-time timers of <see cref="CountAndTimers"/> fire at the end of buckets of this length.</summary>
    public static long Bucket = 10;

    /// <summary>The union job's tumbling window length.</summary>
    public static long Window = 20;

    public static ISink<Result> Sink = new StoreSink(new TransactionalStore());
}
