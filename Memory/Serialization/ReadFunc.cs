namespace DataflowCompiler.Memory.Serialization;

/// <summary>Reads one <typeparamref name="T"/> from <paramref name="input"/>; the read half of <see cref="RecordSerializer.Create{T}"/>.</summary>
public delegate T ReadFunc<T>(ref DataInputView input);
