using DataflowCompiler.Memory;

namespace DataflowCompiler.State;

/// <summary>
/// Flink's key-group arithmetic (DESIGN §7): a key belongs to key group
/// <c>hash(serialized key) mod maxParallelism</c>; key group g runs on subtask
/// <c>g × parallelism / maxParallelism</c>.
/// </summary>
public static class KeyGroupRangeAssignment
{
    /// <summary>The lowest max parallelism chosen by default.</summary>
    public const int DefaultLowerBoundMaxParallelism = 128;

    /// <summary>The highest max parallelism there can be.</summary>
    public const int UpperBoundMaxParallelism = 32768;

    /// <summary>Flink's default: 1.5 × parallelism rounded up to a power of two, clamped to 128..32768.</summary>
    public static int ComputeDefaultMaxParallelism(int parallelism)
    {
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be at least 1.");
        }
        long target = parallelism + (parallelism / 2);
        long pow2 = 1;
        while (pow2 < target)
        {
            pow2 <<= 1;
        }
        return (int)Math.Clamp(pow2, DefaultLowerBoundMaxParallelism, UpperBoundMaxParallelism);
    }

    /// <summary>The key group of a key given its serialized bytes.</summary>
    public static int AssignToKeyGroup(ReadOnlySpan<byte> serializedKey, int maxParallelism) =>
        ComputeKeyGroupForKeyHash(StableHash.Murmur3(serializedKey), maxParallelism);

    /// <summary>
    /// The key group of a key whose serialized bytes hash (<see cref="StableHash.Murmur3"/>) to <paramref name="keyHash"/>;
    /// lets a state backend hash the key once and reuse the hash for its own tables.
    /// </summary>
    public static int ComputeKeyGroupForKeyHash(int keyHash, int maxParallelism) =>
        (int)((uint)keyHash % (uint)maxParallelism);

    /// <summary>The subtask that owns a key group.</summary>
    public static int ComputeOperatorIndexForKeyGroup(int maxParallelism, int parallelism, int keyGroup) =>
        (int)((long)keyGroup * parallelism / maxParallelism);

    /// <summary>The key groups a subtask owns (the inverse of <see cref="ComputeOperatorIndexForKeyGroup"/>).</summary>
    public static KeyGroupRange ComputeKeyGroupRangeForOperatorIndex(int maxParallelism, int parallelism, int operatorIndex)
    {
        if (parallelism > maxParallelism)
        {
            throw new ArgumentException($"Parallelism {parallelism} exceeds max parallelism {maxParallelism}.");
        }
        int start = (int)(((long)operatorIndex * maxParallelism + parallelism - 1) / parallelism);
        int end = (int)((((long)operatorIndex + 1) * maxParallelism - 1) / parallelism);
        return new KeyGroupRange(start, end);
    }
}
