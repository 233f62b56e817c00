namespace DataflowCompiler.Network;

/// <summary>
/// An event that travels in-band with the records of a channel, in order: end of partition now;
/// watermarks, checkpoint barriers and stream status are further subclasses in the runtime.
/// Events never need a credit, but never overtake a buffer written before them.
/// In-process channels pass the instance itself, so an event must be immutable once broadcast.
/// </summary>
public abstract class RuntimeEvent
{
}
