namespace DataflowCompiler.State;

/// <summary>
/// One piece of operator state in serialized form: its name, its mode and its elements, each as the bytes its
/// serializer wrote (a broadcast entry is the key's length as a variable-length integer, the key, then the value).
/// Redistribution moves whole elements and so needs no types.
/// </summary>
internal sealed record NamedOperatorState(string Name, OperatorStateMode Mode, IReadOnlyList<byte[]> Elements);
