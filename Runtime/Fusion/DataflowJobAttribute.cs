namespace DataflowCompiler;

/// <summary>
/// Marks a <c>static partial class</c> whose <c>public static void Define(StreamEnvironment env)</c> method
/// writes a job as fluent chains. The fusion generator compiles every chain that meets the fusion rules
/// (docs/fusion.md) into one specialised loop; the runtime runs that loop instead of the interpreted
/// operators when the chain it builds matches the one the generator saw.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DataflowJobAttribute : Attribute
{
}
