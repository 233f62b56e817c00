namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>An unmanaged accumulator: stored as raw bytes by the built-in serializer.</summary>
public readonly record struct Average(long Sum, long Count);
