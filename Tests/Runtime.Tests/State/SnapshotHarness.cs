using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>
/// A keyed backend with int keys and three states — value (byte[], small or spanning segment chains), list (int) and map
/// (int → int) — driven by <see cref="SnapshotOp"/>s, next to a dictionary model of the same state. <see cref="Dump"/>
/// renders either side canonically so a test compares them with one assertion.
/// </summary>
internal sealed class SnapshotHarness : IDisposable
{
    public const string OperatorName = "snap-op";
    public const int MaxParallelism = 128;

    private readonly IValueState<byte[]> _values;
    private readonly IListState<int> _lists;
    private readonly IMapState<int, int> _maps;

    public SnapshotHarness(MemorySegmentPool pool, KeyGroupRange range, IReadOnlyList<IReadOnlyList<byte[]>>? restoreFrom = null)
    {
        Backend = new BinaryKeyedStateBackend<int>(OperatorName, range, MaxParallelism, pool, new SerializerRegistry());
        if (restoreFrom is not null)
        {
            Backend.Restore(restoreFrom.Select(chain => (IReadOnlyList<Func<Stream>>)chain.Select(bytes => (Func<Stream>)(() => new MemoryStream(bytes))).ToList()).ToList());
        }
        _values = Backend.GetValueState(new ValueStateDescriptor<byte[]>("v"));
        _lists = Backend.GetListState(new ListStateDescriptor<int>("l"));
        _maps = Backend.GetMapState(new MapStateDescriptor<int, int>("m"));
    }

    public BinaryKeyedStateBackend<int> Backend { get; }

    /// <summary>Small pools make relocation, chains and compaction frequent.</summary>
    public static MemorySegmentPool SmallSegmentPool() => new(8L << 20, 256, "managed");

    public static int KeyGroupOf(int key) => KeyGroupRangeAssignment.AssignToKeyGroup(BitConverter.GetBytes(key), MaxParallelism);

    public static byte[] ValueBytes(int key, int length, int salt) => Enumerable.Range(0, length).Select(i => (byte)(key * 31 + i + salt)).ToArray();

    /// <summary>Applies <paramref name="op"/> to the backend and to <paramref name="model"/>.</summary>
    public void Apply(SnapshotOp op, StateModel model)
    {
        int key = op.Key;
        if (op.Kind != SnapshotOp.CompactAll)
        {
            Backend.SetCurrentKey(key);
        }
        switch (op.Kind)
        {
            case SnapshotOp.PutSmall:
            case SnapshotOp.PutLarge:
                var bytes = ValueBytes(key, op.Kind == SnapshotOp.PutSmall ? op.Arg : 300 + (op.Arg * 23), op.Arg);
                _values.Update(bytes);
                model.Values[key] = bytes;
                break;
            case SnapshotOp.ClearValue:
                _values.Clear();
                model.Values.Remove(key);
                break;
            case SnapshotOp.ListAdd:
                _lists.Add(op.Arg);
                model.Lists.TryAdd(key, new List<int>());
                model.Lists[key].Add(op.Arg);
                break;
            case SnapshotOp.ListClear:
                _lists.Clear();
                model.Lists.Remove(key);
                break;
            case SnapshotOp.MapPut:
                _maps.Put(op.Arg % 4, op.Arg);
                model.Maps.TryAdd(key, new Dictionary<int, int>());
                model.Maps[key][op.Arg % 4] = op.Arg;
                break;
            case SnapshotOp.MapRemove:
                _maps.Remove(op.Arg % 4);
                if (model.Maps.TryGetValue(key, out var map) && map.Remove(op.Arg % 4) && map.Count == 0)
                {
                    model.Maps.Remove(key);
                }
                break;
            default:
                Backend.CompactAll();
                break;
        }
    }

    /// <summary>The backend's state, rendered like <see cref="StateModel.Dump()"/>.</summary>
    public List<string> Dump()
    {
        var model = new StateModel();
        foreach (int key in Backend.GetKeys("v"))
        {
            Backend.SetCurrentKey(key);
            model.Values[key] = _values.Value();
        }
        foreach (int key in Backend.GetKeys("l"))
        {
            Backend.SetCurrentKey(key);
            model.Lists[key] = _lists.Get().ToList();
        }
        foreach (int key in Backend.GetKeys("m"))
        {
            Backend.SetCurrentKey(key);
            model.Maps[key] = _maps.Entries().ToDictionary(e => e.Key, e => e.Value);
        }
        return model.Dump();
    }

    /// <summary>Snapshot and asynchronous phase in one go; the caller releases.</summary>
    public (KeyedStateSnapshot Snapshot, byte[] Bytes) TakeSnapshot(long checkpointId, bool incremental)
    {
        var snapshot = Backend.Snapshot(checkpointId, incremental);
        var stream = new MemoryStream();
        snapshot.WriteTo(stream);
        Assert.Equal(stream.Length, snapshot.BytesWritten);
        return (snapshot, stream.ToArray());
    }

    public void Dispose() => Backend.Dispose();
}

/// <summary>One step of <see cref="SnapshotHarness"/>: <see cref="Kind"/> on <see cref="Key"/> with <see cref="Arg"/>.</summary>
internal readonly record struct SnapshotOp(int Kind, int Key, int Arg)
{
    public const int PutSmall = 0;
    public const int PutLarge = 1;
    public const int ClearValue = 2;
    public const int ListAdd = 3;
    public const int ListClear = 4;
    public const int MapPut = 5;
    public const int MapRemove = 6;
    public const int CompactAll = 7;

    public override string ToString() => $"{Kind}:{Key}:{Arg}";
}

/// <summary>The expected state of a <see cref="SnapshotHarness"/>.</summary>
internal sealed class StateModel
{
    public Dictionary<int, byte[]> Values { get; } = new();
    public Dictionary<int, List<int>> Lists { get; } = new();
    public Dictionary<int, Dictionary<int, int>> Maps { get; } = new();

    public List<string> Dump()
    {
        var lines = new List<string>();
        lines.AddRange(Values.Select(e => $"v {e.Key} = {Convert.ToHexString(e.Value)}"));
        lines.AddRange(Lists.Select(e => $"l {e.Key} = {string.Join(",", e.Value)}"));
        lines.AddRange(Maps.SelectMany(e => e.Value.Select(m => $"m {e.Key} {m.Key} = {m.Value}")));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>Only the keys in <paramref name="range"/>.</summary>
    public List<string> Dump(KeyGroupRange range)
    {
        var part = new StateModel();
        foreach (var (k, v) in Values.Where(e => range.Contains(SnapshotHarness.KeyGroupOf(e.Key))))
        {
            part.Values[k] = v;
        }
        foreach (var (k, v) in Lists.Where(e => range.Contains(SnapshotHarness.KeyGroupOf(e.Key))))
        {
            part.Lists[k] = v;
        }
        foreach (var (k, v) in Maps.Where(e => range.Contains(SnapshotHarness.KeyGroupOf(e.Key))))
        {
            part.Maps[k] = v;
        }
        return part.Dump();
    }
}
