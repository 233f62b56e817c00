namespace DataflowCompiler.PropertyTests.Fusion;

/// <summary>
/// What a run of a catalogue pipeline reads: the input records and the operator constants. The pipelines are
/// compiled (and fused) once; their lambdas read these static fields, which keeps them non-capturing.
/// The property sets them before each run; its runs are sequential (one test class, no parallel runs).
/// </summary>
public static class PipelineInput
{
    public static long[] Records = [];
    public static long A = 1;
    public static long B;
    public static long M = 2;
}
