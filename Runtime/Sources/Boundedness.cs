namespace DataflowCompiler.Sources;

/// <summary>Whether a source ends.</summary>
public enum Boundedness
{
    Bounded,
    ContinuousUnbounded,
}
