namespace DataflowCompiler.Benchmarks;

/// <summary>A 16-byte unmanaged record: copied as bytes by the serializer.</summary>
public readonly record struct Tick(long Id, long Value);
