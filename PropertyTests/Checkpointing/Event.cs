using DataflowCompiler.Serialization;

namespace DataflowCompiler.PropertyTests.Checkpointing;

/// <summary>An input record: <see cref="Seq"/> counts the records of <see cref="Key"/> from 0; <see cref="Time"/> never decreases within a source.</summary>
[DataflowSerializable]
public readonly record struct Event(int Key, int Seq, long Value, long Time);
