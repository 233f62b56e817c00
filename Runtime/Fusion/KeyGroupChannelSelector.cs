using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Fusion;

/// <summary>
/// The key-group routing of a KeyBy edge for fused code: serializes the key, hashes it to its key group and
/// returns the downstream subtask that owns the group. Same result as the interpreted partitioner; no allocation.
/// </summary>
public sealed class KeyGroupChannelSelector<TKey>
{
    private readonly DataOutputSerializer _keyBytes = new(64);
    private readonly IRecordSerializer<TKey> _keySerializer;
    private readonly int _maxParallelism;
    private readonly int _numberOfChannels;

    internal KeyGroupChannelSelector(IRecordSerializer<TKey> keySerializer, int maxParallelism, int numberOfChannels)
    {
        _keySerializer = keySerializer;
        _maxParallelism = maxParallelism;
        _numberOfChannels = numberOfChannels;
    }

    /// <summary>The subtask (channel) that owns the key's key group.</summary>
    public int SelectChannel(TKey key)
    {
        if (_numberOfChannels == 1)
        {
            return 0; // one consumer owns every key group; the key selector has already run, so failures are reported alike
        }
        _keyBytes.Clear();
        _keySerializer.Serialize(key, _keyBytes);
        int keyGroup = KeyGroupRangeAssignment.AssignToKeyGroup(_keyBytes.WrittenSpan, _maxParallelism);
        return KeyGroupRangeAssignment.ComputeOperatorIndexForKeyGroup(_maxParallelism, _numberOfChannels, keyGroup);
    }
}
