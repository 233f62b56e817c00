using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Network;

/// <summary>
/// Serializes records into the buffers of a <see cref="ResultPartition"/>'s subpartitions.
/// A record is written as a 4-byte little-endian length and its bytes and may span buffers.
/// When the current buffer of a subpartition is full it is shipped; when no buffer is free the
/// writer waits (backpressure). Used by the producing task thread only; allocation-free in steady state.
/// </summary>
public sealed class RecordWriter<T>
{
    private const int LengthPrefix = 4;

    private readonly ResultPartition _partition;
    private readonly ResultSubpartition[] _subpartitions;
    private readonly IRecordSerializer<T> _serializer;
    private readonly DataOutputSerializer _output = new();
    private readonly bool _flushAlways;

    /// <param name="flushAlways">Flush after every record (buffer timeout 0).</param>
    public RecordWriter(ResultPartition partition, IRecordSerializer<T> serializer, bool flushAlways = false)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(serializer);
        _partition = partition;
        _subpartitions = partition.Subpartitions;
        _serializer = serializer;
        _flushAlways = flushAlways;
    }

    public ResultPartition Partition => _partition;

    /// <summary>Whether every record is flushed at once (buffer timeout 0).</summary>
    public bool FlushAlways => _flushAlways;

    /// <summary>Serializes <paramref name="record"/> into the current buffer of <paramref name="subpartition"/>; may wait for a free buffer.</summary>
    public void Emit(T record, int subpartition)
    {
        var subpartitions = _subpartitions;
        if ((uint)subpartition >= (uint)subpartitions.Length)
        {
            ThrowBadSubpartition(subpartition);
        }
        var output = _output;
        output.Clear();
        _serializer.Serialize(record, output);
        var target = subpartitions[subpartition];
        Append(target, output.WrittenSpan);
        if (_flushAlways)
        {
            target.FinishCurrent();
        }
    }

    /// <summary>Serializes <paramref name="record"/> once and appends it to every subpartition.</summary>
    public void Broadcast(T record)
    {
        var output = _output;
        output.Clear();
        _serializer.Serialize(record, output);
        foreach (var target in _subpartitions)
        {
            Append(target, output.WrittenSpan);
            if (_flushAlways)
            {
                target.FinishCurrent();
            }
        }
    }

    /// <summary>Ships every non-empty current buffer as far as credit allows; the rest waits in the subpartitions' queues.</summary>
    public void Flush() => _partition.Flush();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Append(ResultSubpartition target, ReadOnlySpan<byte> bytes)
    {
        byte[]? array = target.CurrentArray;
        int position = target.Position;
        // Fast path: the whole record fits in the current buffer and does not fill it.
        if (array is not null && array.Length - position > bytes.Length + LengthPrefix)
        {
            var destination = array.AsSpan(position);
            BinaryPrimitives.WriteInt32LittleEndian(destination, bytes.Length);
            bytes.CopyTo(destination[LengthPrefix..]);
            target.Position = position + LengthPrefix + bytes.Length;
            return;
        }
        AppendSpanning(target, bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AppendSpanning(ResultSubpartition target, ReadOnlySpan<byte> bytes)
    {
        Span<byte> prefix = stackalloc byte[LengthPrefix];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, bytes.Length);
        target.Write(prefix);
        target.Write(bytes);
    }

    private void ThrowBadSubpartition(int subpartition) =>
        throw new ArgumentOutOfRangeException(nameof(subpartition), subpartition,
            $"Result partition '{_partition.Owner}' has {_subpartitions.Length} subpartitions.");
}
