using DataflowCompiler.Memory;
using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.State;

/// <summary>
/// A binary state keeps its serialized namespace while the same namespace is set again, and caches the entry hash of
/// (key, namespace) until either changes. These tests switch key and namespace in the orders a window operator does
/// and check that every access still reaches the entry of the current key and namespace.
/// </summary>
public sealed class NamespaceCacheTests
{
    private static readonly UnmanagedSerializer<long> Ns = new();

    [Fact]
    public void A_key_change_without_a_namespace_change_reaches_the_new_keys_entry()
    {
        using var fixture = new Fixture();
        var (backend, state, scoped) = fixture;
        backend.SetCurrentKey(1);
        scoped.SetCurrentNamespace(1000L, Ns);
        state.Update(10);
        backend.SetCurrentKey(2);
        Assert.False(state.HasValue); // a hash cached for key 1 would find key 1's entry here
        state.Update(20);
        scoped.SetCurrentNamespace(1000L, Ns); // the same namespace again: nothing changes
        Assert.Equal(20, state.Value());
        backend.SetCurrentKey(1);
        Assert.Equal(10, state.Value());
        Assert.Equal(2, backend.EntryCount);
    }

    [Fact]
    public void Setting_the_same_key_again_and_switching_namespaces_back_and_forth_reach_the_right_entries()
    {
        using var fixture = new Fixture();
        var (backend, state, scoped) = fixture;
        for (long key = 0; key < 50; key++)
        {
            backend.SetCurrentKey(key);
            for (long ns = 0; ns < 4; ns++)
            {
                scoped.SetCurrentNamespace(ns, Ns);
                state.Update(key * 10 + ns);
            }
        }
        for (long ns = 3; ns >= 0; ns--)
        {
            for (long key = 49; key >= 0; key--)
            {
                backend.SetCurrentKey(key);
                scoped.SetCurrentNamespace(ns, Ns);
                Assert.Equal(key * 10 + ns, state.Value());
                scoped.ResetNamespace();
                Assert.False(state.HasValue);
                scoped.SetCurrentNamespace(ns, Ns);
                Assert.True(state.HasValue);
            }
        }
        Assert.Equal(200, backend.EntryCount);
    }

    [Fact]
    public void A_remembered_lookup_is_not_used_for_another_namespace_or_key()
    {
        using var fixture = new Fixture();
        var (backend, _, scoped) = fixture;
        var inPlace = fixture.Backend.GetInPlaceValueState(new ValueStateDescriptor<long>("v"));
        backend.SetCurrentKey(7);
        scoped.SetCurrentNamespace(1L, Ns);
        Assert.False(inPlace.TryGetValue(out _));
        scoped.SetCurrentNamespace(2L, Ns);
        inPlace.Update(5); // must land in namespace 2, not where the lookup in namespace 1 pointed
        Assert.True(inPlace.TryGetValue(out long found));
        Assert.Equal(5, found);
        scoped.SetCurrentNamespace(2L, Ns); // same namespace: the remembered lookup stays valid
        inPlace.Update(6);
        backend.SetCurrentKey(8);
        inPlace.Update(9); // another key: looked up again
        scoped.SetCurrentNamespace(1L, Ns);
        Assert.False(inPlace.State.HasValue);
        backend.SetCurrentKey(7);
        Assert.False(inPlace.State.HasValue);
        scoped.SetCurrentNamespace(2L, Ns);
        Assert.Equal(6, inPlace.State.Value());
        backend.SetCurrentKey(8);
        Assert.Equal(9, inPlace.State.Value());
        Assert.Equal(2, backend.EntryCount);
    }

    private sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            Backend = new BinaryKeyedStateBackend<long>("ns-cache", new KeyGroupRange(0, 127), 128, new MemorySegmentPool(1 << 20, 4096, "managed"),
                new SerializerRegistry());
            State = Backend.GetValueState(new ValueStateDescriptor<long>("v"));
        }

        public BinaryKeyedStateBackend<long> Backend { get; }

        public IValueState<long> State { get; }

        public void Deconstruct(out BinaryKeyedStateBackend<long> backend, out IValueState<long> state, out IInternalKeyedState scoped)
        {
            backend = Backend;
            state = State;
            scoped = (IInternalKeyedState)State;
        }

        public void Dispose() => Backend.Dispose();
    }
}
