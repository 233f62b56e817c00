using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>
/// Model-based properties: random operation sequences over a few keys and namespaces run against the binary
/// backend and against dictionaries; every read and the entry count must agree after every step. Small
/// segments and explicit compactions make relocation and compaction frequent. A failure prints the operations and FsCheck's replay seed.
/// </summary>
public sealed class KeyedStateModelTests
{
    /// <summary>One step: <see cref="Kind"/> picks the operation, A and B are its arguments.</summary>
    public readonly record struct Op(int Kind, int A, int B)
    {
        public override string ToString() => $"{Kind}:{A}:{B}";
    }

    private const int OpKinds = 27;

    private static readonly Arbitrary<Op[]> Ops =
        (from kind in Gen.Choose(0, OpKinds - 1)
         from a in Gen.Choose(0, 9)
         from b in Gen.Choose(-30, 30)
         select new Op(kind, a, b)).ArrayOf().ToArbitrary();

    private static readonly Config Checks = Config.QuickThrowOnFailure.WithMaxTest(150).WithEndSize(150);

    [Fact]
    public void String_keys_behave_like_the_model()
    {
        int compactions = 0;
        Prop.ForAll(Ops, ops => new ModelRun<string>(["a", "b", "", "a much longer key than the others", "ü"]).Run(ops, ref compactions)).Check(Checks);
        Assert.True(compactions > 0, "the generated runs never compacted; the property would not cover compaction");
    }

    [Fact]
    public void Long_keys_behave_like_the_model()
    {
        int compactions = 0;
        Prop.ForAll(Ops, ops => new ModelRun<long>([0, 1, -1, long.MaxValue, 42]).Run(ops, ref compactions)).Check(Checks);
        Assert.True(compactions > 0, "the generated runs never compacted; the property would not cover compaction");
    }

    private sealed class ModelRun<TKey>
        where TKey : notnull
    {
        private static readonly UnmanagedSerializer<int> NamespaceSerializer = new();

        private readonly TKey[] _keys;
        private readonly MemorySegmentPool _pool = new(8192L * 256, 256, "managed");
        private readonly BinaryKeyedStateBackend<TKey> _backend;
        private readonly IValueState<long> _value;
        private readonly IValueState<string> _text;
        private readonly IListState<long> _list;
        private readonly IMapState<int, string> _map;
        private readonly IReducingState<long> _reducing;
        private readonly IAggregatingState<long, double> _aggregating;
        private readonly IInternalKeyedState[] _all;
        private readonly InPlaceValueState<long> _valueInPlace;
        private readonly InPlaceValueState<string> _textInPlace;

        private readonly Dictionary<(TKey, int), long> _values = new();
        private readonly Dictionary<(TKey, int), string> _texts = new();
        private readonly Dictionary<(TKey, int), List<long>> _lists = new();
        private readonly Dictionary<(TKey, int), Dictionary<int, string>> _maps = new();
        private readonly Dictionary<(TKey, int), long> _sums = new();
        private readonly Dictionary<(TKey, int), Average> _averages = new();
        private TKey _key;
        private int _ns;

        public ModelRun(TKey[] keys)
        {
            _keys = keys;
            _backend = new BinaryKeyedStateBackend<TKey>("model-op", new KeyGroupRange(0, 127), 128, _pool, new SerializerRegistry());
            _value = _backend.GetValueState(new ValueStateDescriptor<long>("value", -1));
            _text = _backend.GetValueState(new ValueStateDescriptor<string>("text"));
            _list = _backend.GetListState(new ListStateDescriptor<long>("list"));
            _map = _backend.GetMapState(new MapStateDescriptor<int, string>("map"));
            _reducing = _backend.GetReducingState(new ReducingStateDescriptor<long>("reducing", (a, b) => a + b));
            _aggregating = _backend.GetAggregatingState(new AggregatingStateDescriptor<long, Average, double>("aggregating", new AverageFunction()));
            _all = [(IInternalKeyedState)_value, (IInternalKeyedState)_text, (IInternalKeyedState)_list,
                (IInternalKeyedState)_map, (IInternalKeyedState)_reducing, (IInternalKeyedState)_aggregating];
            // The one-probe views of the same two value states: a fixed-size value and a variable-length one.
            _valueInPlace = _backend.GetInPlaceValueState(new ValueStateDescriptor<long>("value", -1));
            _textInPlace = _backend.GetInPlaceValueState(new ValueStateDescriptor<string>("text"));
            Assert.Same(_value, _valueInPlace.State);
            Assert.True(_valueInPlace.IsFixedSize);
            Assert.False(_textInPlace.IsFixedSize);
            _key = keys[0];
            _backend.SetCurrentKey(_key);
        }

        private (TKey, int) Here => (_key, _ns);

        public bool Run(Op[] ops, ref int compactions)
        {
            foreach (var op in ops)
            {
                Apply(op);
                Assert.Equal(ModelEntryCount(), _backend.EntryCount);
            }
            CheckKeys();
            compactions += _backend.CompactionCount;
            // Clearing every key and namespace must leave nothing behind, in entries or in segments.
            foreach (var key in _keys)
            {
                _key = key;
                _backend.SetCurrentKey(key);
                for (int ns = 0; ns < 3; ns++)
                {
                    SetNamespace(ns);
                    _value.Clear();
                    _text.Clear();
                    _list.Clear();
                    _map.Clear();
                    _reducing.Clear();
                    _aggregating.Clear();
                }
            }
            Assert.Equal(0, _backend.EntryCount);
            Assert.Equal(_pool.TotalSegments, _pool.AvailableSegments);
            _backend.Dispose();
            Assert.Equal(_pool.TotalSegments, _pool.AvailableSegments);
            return true;
        }

        private void Apply(Op op)
        {
            int a = op.A;
            int b = op.B;
            switch (op.Kind)
            {
                case 0:
                    _key = _keys[a % _keys.Length];
                    _backend.SetCurrentKey(_key);
                    Assert.Equal(_key, _backend.CurrentKey);
                    break;
                case 1:
                    SetNamespace(a % 3);
                    break;
                case 2:
                    _value.Update(b);
                    _values[Here] = b;
                    break;
                case 3:
                    _value.Clear();
                    _values.Remove(Here);
                    break;
                case 4:
                    Assert.Equal(_values.TryGetValue(Here, out long v) ? v : -1, _value.Value());
                    Assert.Equal(_values.ContainsKey(Here), _value.HasValue);
                    Assert.Equal(_texts.GetValueOrDefault(Here), _text.Value());
                    break;
                case 5:
                    string text = new string('t', Math.Abs(b) * (a + 1)) + a; // up to 300 chars: some span segments
                    _text.Update(text);
                    _texts[Here] = text;
                    break;
                case 6:
                    _text.Clear();
                    _texts.Remove(Here);
                    break;
                case 7:
                    // Lists grow past a 256-byte segment (into a chain) but stay bounded.
                    if (_lists.TryGetValue(Here, out var existing) && existing.Count >= 80)
                    {
                        _list.Clear();
                        _lists.Remove(Here);
                    }
                    else
                    {
                        _list.Add(b);
                        (_lists.TryGetValue(Here, out var l) ? l : _lists[Here] = new List<long>()).Add(b);
                    }
                    break;
                case 8:
                    var replacement = Enumerable.Range(b, a % 4).Select(i => (long)i).ToList();
                    _list.Update(replacement);
                    if (replacement.Count == 0)
                    {
                        _lists.Remove(Here);
                    }
                    else
                    {
                        _lists[Here] = replacement;
                    }
                    break;
                case 9:
                    _list.Clear();
                    _lists.Remove(Here);
                    break;
                case 10:
                    Assert.Equal(_lists.TryGetValue(Here, out var list) ? list : [], _list.Get());
                    break;
                case 11:
                    string mapValue = "v" + new string('m', Math.Abs(b) % 20);
                    _map.Put(a % 8, mapValue);
                    (_maps.TryGetValue(Here, out var m) ? m : _maps[Here] = new Dictionary<int, string>())[a % 8] = mapValue;
                    break;
                case 12:
                    _map.Remove(a % 8);
                    if (_maps.TryGetValue(Here, out var fromMap) && fromMap.Remove(a % 8) && fromMap.Count == 0)
                    {
                        _maps.Remove(Here);
                    }
                    break;
                case 13:
                    string? expected = _maps.TryGetValue(Here, out var lookup) ? lookup.GetValueOrDefault(a % 8) : null;
                    Assert.Equal(expected is not null, _map.TryGet(a % 8, out var actual));
                    Assert.Equal(expected, expected is null ? null : actual);
                    Assert.Equal(expected is not null, _map.Contains(a % 8));
                    break;
                case 14:
                    var model = _maps.TryGetValue(Here, out var all) ? all : new Dictionary<int, string>();
                    Assert.Equal(model.OrderBy(kv => kv.Key), _map.Entries().OrderBy(kv => kv.Key));
                    Assert.Equal(model.Keys.Order(), _map.Keys().Order());
                    Assert.Equal(model.Count == 0, _map.IsEmpty);
                    break;
                case 15:
                    _map.Clear();
                    _maps.Remove(Here);
                    break;
                case 16:
                    _reducing.Add(b);
                    _sums[Here] = _sums.GetValueOrDefault(Here) + b;
                    break;
                case 17:
                    Assert.Equal(_sums.ContainsKey(Here), _reducing.HasValue);
                    if (_sums.TryGetValue(Here, out long sum))
                    {
                        Assert.Equal(sum, _reducing.Get());
                    }
                    break;
                case 18:
                    _reducing.Clear();
                    _sums.Remove(Here);
                    break;
                case 19:
                    _aggregating.Add(b);
                    var average = _averages.GetValueOrDefault(Here);
                    _averages[Here] = new Average(average.Sum + b, average.Count + 1);
                    break;
                case 20:
                    Assert.Equal(_averages.ContainsKey(Here), _aggregating.HasValue);
                    Assert.Equal(new AverageFunction().GetResult(_averages.GetValueOrDefault(Here)), _aggregating.Get());
                    break;
                case 21:
                    _aggregating.Clear();
                    _averages.Remove(Here);
                    break;
                case 22:
                    _backend.CompactAll();
                    break;
                case 23:
                    // Rolling sum through the in-place view.
                    Assert.Equal(_values.TryGetValue(Here, out long before), _valueInPlace.TryGetValue(out long found));
                    Assert.Equal(_values.ContainsKey(Here) ? before : 0, found);
                    long sumValue = _values.ContainsKey(Here) ? found + b : b;
                    _valueInPlace.Update(sumValue);
                    _values[Here] = sumValue;
                    break;
                case 24:
                    // Growing text through the in-place view (relocations, chains past a segment); null clears.
                    Assert.Equal(_texts.TryGetValue(Here, out string? previous), _textInPlace.TryGetValue(out string? foundText));
                    Assert.Equal(previous, foundText);
                    if (b == 0)
                    {
                        _textInPlace.Update(null!);
                        _texts.Remove(Here);
                        break;
                    }
                    string grown = (previous is { Length: < 600 } ? previous : "r") + new string('i', Math.Abs(b) * (a + 1));
                    _textInPlace.Update(grown);
                    _texts[Here] = grown;
                    break;
                case 25:
                    // Something happens between the lookup and the write: the write must go to the then current entry.
                    _valueInPlace.TryGetValue(out _);
                    switch (a % 3)
                    {
                        case 0:
                            _key = _keys[(a + b + 30) % _keys.Length];
                            _backend.SetCurrentKey(_key);
                            break;
                        case 1:
                            SetNamespace((_ns + 1) % 3);
                            break;
                        default:
                            _value.Update(2L * b);
                            _values[Here] = 2L * b;
                            break;
                    }
                    _valueInPlace.Update(b);
                    _values[Here] = b;
                    break;
                case 26:
                    _textInPlace.TryGetValue(out _);
                    if (a % 2 == 0)
                    {
                        _text.Clear();
                        _texts.Remove(Here);
                    }
                    else
                    {
                        _backend.CompactAll();
                    }
                    _textInPlace.Update("x" + b);
                    _texts[Here] = "x" + b;
                    break;
                default:
                    throw new InvalidOperationException($"unknown op {op}");
            }
        }

        private void SetNamespace(int ns)
        {
            _ns = ns;
            foreach (var state in _all)
            {
                if (ns == 0)
                {
                    state.ResetNamespace();
                }
                else
                {
                    state.SetCurrentNamespace(ns, NamespaceSerializer);
                }
            }
        }

        // Map state keeps one entry per user key plus one directory entry per non-empty map.
        private long ModelEntryCount() =>
            _values.Count + _texts.Count + _lists.Count + _maps.Sum(kv => kv.Value.Count + 1) + _sums.Count + _averages.Count;

        private void CheckKeys()
        {
            Check("value", _values.Keys);
            Check("text", _texts.Keys);
            Check("list", _lists.Keys);
            Check("map", _maps.Keys);
            Check("reducing", _sums.Keys);
            Check("aggregating", _averages.Keys);

            void Check(string state, IEnumerable<(TKey Key, int)> model) =>
                Assert.Equal(model.Select(k => k.Key).ToHashSet(), _backend.GetKeys(state).ToHashSet());
        }
    }
}
