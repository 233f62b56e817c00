namespace DataflowCompiler.Network;

/// <summary>
/// An event that travels in-band with the records of a channel, in order: end of partition now;
/// watermarks, checkpoint barriers and stream status are further subclasses in the runtime.
/// </summary>
public abstract class RuntimeEvent
{
}
