using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.State;

/// <summary>
/// Keys that are their own bytes: the key serializer is <see cref="UnmanagedSerializer{T}"/>, so equality is byte
/// equality and the serialized key is the raw memory of the value. The one place that decides this and hashes and
/// compares such keys, for the binary backend's key bytes, the flat value state and the window slice table.
/// </summary>
internal static class RawKey<TKey>
{
    public static readonly int Size = RuntimeHelpers.IsReferenceOrContainsReferences<TKey>() ? 0 : Unsafe.SizeOf<TKey>();

    /// <summary>True when <paramref name="serializer"/> writes the key's raw bytes.</summary>
    public static bool IsRaw(IRecordSerializer<TKey>? serializer) =>
        Size > 0 && serializer is not null && serializer.GetType().IsGenericType &&
        serializer.GetType().GetGenericTypeDefinition() == typeof(UnmanagedSerializer<>);

    /// <summary>True when the registry's serializer for <typeparamref name="TKey"/> writes raw bytes.</summary>
    public static bool IsRaw(SerializerRegistry serializers) => Size > 0 && serializers.TryGet<TKey>(out var serializer) && IsRaw(serializer);

    public static ReadOnlySpan<byte> Bytes(ref TKey key) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TKey, byte>(ref key), Size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ref TKey key)
    {
        ulong x;
        if (Size == 8)
        {
            x = Unsafe.As<TKey, ulong>(ref key);
        }
        else if (Size == 4)
        {
            x = Unsafe.As<TKey, uint>(ref key);
        }
        else if (Size == 2)
        {
            x = Unsafe.As<TKey, ushort>(ref key);
        }
        else if (Size == 1)
        {
            x = Unsafe.As<TKey, byte>(ref key);
        }
        else
        {
            x = HashBytes(Bytes(ref key));
        }
        // Fibonacci hashing: the caller takes the high bits.
        return x * 0x9E3779B97F4A7C15UL;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Equal(ref TKey a, ref TKey b)
    {
        if (Size == 8)
        {
            return Unsafe.As<TKey, ulong>(ref a) == Unsafe.As<TKey, ulong>(ref b);
        }
        if (Size == 4)
        {
            return Unsafe.As<TKey, uint>(ref a) == Unsafe.As<TKey, uint>(ref b);
        }
        if (Size == 16)
        {
            return Unsafe.As<TKey, ulong>(ref a) == Unsafe.As<TKey, ulong>(ref b)
                && Unsafe.Add(ref Unsafe.As<TKey, ulong>(ref a), 1) == Unsafe.Add(ref Unsafe.As<TKey, ulong>(ref b), 1);
        }
        return Bytes(ref a).SequenceEqual(Bytes(ref b));
    }

    private static ulong HashBytes(ReadOnlySpan<byte> bytes)
    {
        ulong h = 0xCBF29CE484222325UL;
        while (bytes.Length >= 8)
        {
            h = (h ^ MemoryMarshal.Read<ulong>(bytes)) * 0x100000001B3UL;
            h ^= h >> 29;
            bytes = bytes[8..];
        }
        foreach (byte b in bytes)
        {
            h = (h ^ b) * 0x100000001B3UL;
        }
        return h ^ (h >> 32);
    }
}
