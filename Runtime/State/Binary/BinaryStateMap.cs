using DataflowCompiler.Memory;

namespace DataflowCompiler.State.Binary;

/// <summary>
/// The index of one state's entries in one key group: an open-addressing table (linear probing,
/// backward-shift deletion, so no tombstones) of entry addresses plus their hashes. The entries
/// themselves live in the owning <see cref="BinaryStateTable"/>'s memory segments; this index is the
/// only per-key-group structure, which is what checkpoints (per key group) and rescaling (whole
/// key groups move) need to walk.
/// </summary>
internal sealed class BinaryStateMap
{
    private const long Empty = -1;
    private const int InitialCapacity = 16;

    private long[] _addresses;
    private int[] _hashes;
    private int _mask;
    private int _count;

    public BinaryStateMap()
    {
        _addresses = new long[InitialCapacity];
        _hashes = new int[InitialCapacity];
        Array.Fill(_addresses, Empty);
        _mask = InitialCapacity - 1;
    }

    /// <summary>Live entries of this key group.</summary>
    public int Count => _count;

    /// <summary>
    /// The table version of the last write into this key group (not used by snapshots yet, which compare entry stamps).
    /// A key group whose stamp is not newer than the last checkpoint's version is unchanged and its
    /// previous snapshot file can be shared.
    /// </summary>
    public int LastModifiedVersion { get; set; }

    /// <summary>Number of slots; iterate 0..Capacity-1 with <see cref="AddressAt"/>.</summary>
    public int Capacity => _addresses.Length;

    public long AddressAt(int slot) => _addresses[slot];

    public static bool IsEmptyAddress(long address) => address == Empty;

    public void SetAddress(int slot, long address) => _addresses[slot] = address;

    /// <summary>The slot of the entry with this key and secondary bytes, or -1.</summary>
    public int Find(int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> secondary, List<MemorySegment> segments)
    {
        int slot = hash & _mask;
        while (true)
        {
            long address = _addresses[slot];
            if (address == Empty)
            {
                return -1;
            }
            if (_hashes[slot] == hash)
            {
                byte[] segment = segments[StateEntry.SegmentOf(address)].Array;
                int offset = StateEntry.OffsetOf(address);
                if (StateEntry.Key(segment, offset).SequenceEqual(key) && StateEntry.Secondary(segment, offset).SequenceEqual(secondary))
                {
                    return slot;
                }
            }
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>The slot holding <paramref name="address"/> (used when compaction moves an entry).</summary>
    public int FindByAddress(int hash, long address)
    {
        int slot = hash & _mask;
        while (_addresses[slot] != address)
        {
            if (_addresses[slot] == Empty)
            {
                throw new InvalidOperationException("State index is corrupt: a live entry is missing from its key group's index.");
            }
            slot = (slot + 1) & _mask;
        }
        return slot;
    }

    /// <summary>Adds an entry known to be absent.</summary>
    public void Insert(int hash, long address)
    {
        // Resize at 3/4 load: linear probing degrades quickly beyond that.
        if ((_count + 1) * 4 > _addresses.Length * 3)
        {
            Grow();
        }
        int slot = hash & _mask;
        while (_addresses[slot] != Empty)
        {
            slot = (slot + 1) & _mask;
        }
        _addresses[slot] = address;
        _hashes[slot] = hash;
        _count++;
    }

    /// <summary>Removes the entry in <paramref name="slot"/>, shifting later members of its probe run back.</summary>
    public void RemoveAt(int slot)
    {
        int hole = slot;
        int next = slot;
        while (true)
        {
            next = (next + 1) & _mask;
            long address = _addresses[next];
            if (address == Empty)
            {
                break;
            }
            int home = _hashes[next] & _mask;
            // The entry at 'next' may fill the hole unless its home lies cyclically in (hole, next].
            bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!stays)
            {
                _addresses[hole] = address;
                _hashes[hole] = _hashes[next];
                hole = next;
            }
        }
        _addresses[hole] = Empty;
        _count--;
    }

    /// <summary>Forgets every entry (their bytes are released by the table).</summary>
    public void Clear()
    {
        Array.Fill(_addresses, Empty);
        _count = 0;
    }

    private void Grow()
    {
        long[] oldAddresses = _addresses;
        int[] oldHashes = _hashes;
        int capacity = oldAddresses.Length * 2;
        _addresses = new long[capacity];
        _hashes = new int[capacity];
        Array.Fill(_addresses, Empty);
        _mask = capacity - 1;
        for (int i = 0; i < oldAddresses.Length; i++)
        {
            if (oldAddresses[i] != Empty)
            {
                int slot = oldHashes[i] & _mask;
                while (_addresses[slot] != Empty)
                {
                    slot = (slot + 1) & _mask;
                }
                _addresses[slot] = oldAddresses[i];
                _hashes[slot] = oldHashes[i];
            }
        }
    }
}
