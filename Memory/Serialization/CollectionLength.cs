namespace DataflowCompiler.Memory.Serialization;

/// <summary>Shared checks for the length prefixes of arrays, lists and byte arrays.</summary>
internal static class CollectionLength
{
    public static int ToInt32(uint count, int position)
    {
        if (count > int.MaxValue)
        {
            throw new SerializationException($"Collection length {count} before offset {position} is out of range; the bytes are corrupt or were written by another serializer.");
        }
        return (int)count;
    }

    /// <summary>
    /// A capacity to pre-allocate for <paramref name="count"/> elements that a corrupt prefix cannot
    /// inflate: every element of a well-formed collection takes at least one byte (except for
    /// user serializers that write nothing), so more than <paramref name="remaining"/> is never pre-allocated.
    /// </summary>
    public static int SafeCapacity(int count, int remaining) => Math.Min(count, Math.Max(0, remaining));
}
