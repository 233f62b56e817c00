using DataflowCompiler.Memory.Serialization;
using DataflowCompiler.State;

namespace DataflowCompiler.Runtime.Tests.State;

public sealed class OperatorStateBackendTests
{
    private static OperatorStateBackend NewBackend(string name = "op") => new(name, new SerializerRegistry());

    private static OperatorStateBackend RoundTrip(OperatorStateBackend backend, string name = "op")
    {
        using var stream = new MemoryStream();
        backend.WriteSnapshot(stream);
        stream.Position = 0;
        var restored = NewBackend(name);
        restored.Restore(OperatorStateSnapshotData.ReadFrom(stream));
        return restored;
    }

    [Fact]
    public void Each_mode_round_trips_through_the_binary_form()
    {
        var backend = NewBackend();
        backend.GetListState(new ListStateDescriptor<string>("offsets")).AddAll(["a", "", "ü", "long text"]);
        backend.GetUnionListState(new ListStateDescriptor<long>("union")).AddAll([1, -2, long.MaxValue]);
        var rules = backend.GetBroadcastState(new MapStateDescriptor<string, (int, double)>("rules"));
        rules.Put("x", (1, 1.5));
        rules.Put("y", (2, -0.5));

        var restored = RoundTrip(backend);

        Assert.True(restored.IsRestored);
        Assert.Equal(["a", "", "ü", "long text"], restored.GetListState(new ListStateDescriptor<string>("offsets")).Get());
        Assert.Equal([1L, -2L, long.MaxValue], restored.GetUnionListState(new ListStateDescriptor<long>("union")).Get());
        var restoredRules = restored.GetBroadcastState(new MapStateDescriptor<string, (int, double)>("rules"));
        Assert.Equal((1, 1.5), restoredRules.Get("x"));
        Assert.Equal((2, -0.5), restoredRules.Get("y"));
        Assert.Equal(2, restoredRules.Entries().Count);
    }

    [Fact]
    public void The_same_name_gives_the_same_state()
    {
        var backend = NewBackend();
        var first = backend.GetListState(new ListStateDescriptor<int>("s"));
        first.Add(3);
        Assert.Same(first, backend.GetListState(new ListStateDescriptor<int>("s")));
        Assert.Equal([3], backend.GetListState(new ListStateDescriptor<int>("s")).Get());
    }

    [Fact]
    public void A_name_reused_with_another_mode_throws_naming_state_and_operator()
    {
        var backend = NewBackend("my-source");
        backend.GetListState(new ListStateDescriptor<int>("positions"));
        var ex = Assert.Throws<InvalidOperationException>(() => backend.GetUnionListState(new ListStateDescriptor<int>("positions")));
        Assert.Contains("'positions'", ex.Message);
        Assert.Contains("'my-source'", ex.Message);
        Assert.Contains("union list state", ex.Message);

        Assert.Throws<InvalidOperationException>(() => backend.GetBroadcastState(new MapStateDescriptor<int, int>("positions")));
    }

    [Fact]
    public void A_restored_name_asked_for_with_another_mode_throws()
    {
        var backend = NewBackend("sink");
        backend.GetBroadcastState(new MapStateDescriptor<int, int>("s")).Put(1, 2);
        var restored = RoundTrip(backend, "sink");

        var ex = Assert.Throws<InvalidOperationException>(() => restored.GetListState(new ListStateDescriptor<int>("s")));
        Assert.Contains("'s' was snapshotted as broadcast state", ex.Message);
        Assert.Contains("'sink'", ex.Message);
        // The restored contents are still there for the right kind.
        Assert.Equal(2, restored.GetBroadcastState(new MapStateDescriptor<int, int>("s")).Get(1));
    }

    [Fact]
    public void A_name_reused_with_another_type_throws()
    {
        var backend = NewBackend();
        backend.GetListState(new ListStateDescriptor<int>("s"));
        var ex = Assert.Throws<InvalidOperationException>(() => backend.GetListState(new ListStateDescriptor<string>("s")));
        Assert.Contains("Int32", ex.Message);
    }

    [Fact]
    public void Restored_state_that_is_not_asked_for_survives_the_next_snapshot()
    {
        var backend = NewBackend();
        backend.GetListState(new ListStateDescriptor<int>("kept")).AddAll([7, 8]);
        var restored = RoundTrip(backend);
        restored.GetListState(new ListStateDescriptor<int>("other")).Add(1);

        var again = RoundTrip(restored);

        Assert.Equal([7, 8], again.GetListState(new ListStateDescriptor<int>("kept")).Get());
        Assert.Equal([1], again.GetListState(new ListStateDescriptor<int>("other")).Get());
    }

    [Fact]
    public void List_state_operations_and_snapshot_isolation()
    {
        var backend = NewBackend();
        var list = backend.GetListState(new ListStateDescriptor<int>("s"));
        list.AddAll([1, 2, 3]);
        var seen = list.Get();
        list.Update(list.Get().Where(static v => v != 2));
        Assert.Equal([1, 2, 3], seen); // Get returns a copy
        Assert.Equal([1, 3], list.Get());

        var snapshot = backend.Snapshot();
        list.Clear();
        Assert.Empty(list.Get());
        var restored = NewBackend();
        restored.Restore(snapshot);
        Assert.Equal([1, 3], restored.GetListState(new ListStateDescriptor<int>("s")).Get());
    }

    [Fact]
    public void Null_elements_are_rejected()
    {
        var list = NewBackend("op").GetListState(new ListStateDescriptor<string>("names"));
        var ex = Assert.Throws<ArgumentNullException>(() => list.Add(null!));
        Assert.Contains("'names'", ex.Message);
        Assert.Throws<ArgumentNullException>(() => list.Update(["a", null!]));
        Assert.Empty(list.Get());
    }

    [Fact]
    public void Broadcast_state_operations()
    {
        var state = NewBackend().GetBroadcastState(new MapStateDescriptor<string, int>("b"));
        Assert.False(state.Contains("a"));
        Assert.Equal(0, state.Get("a"));
        state.Put("a", 1);
        state.PutAll([new("b", 2), new("a", 3)]);
        Assert.True(state.TryGetValue("a", out int a));
        Assert.Equal(3, a);
        Assert.True(state.Remove("b"));
        Assert.False(state.Remove("b"));
        Assert.Equal([new KeyValuePair<string, int>("a", 3)], state.Entries());
        state.Clear();
        Assert.Empty(state.Entries());
    }

    [Fact]
    public void Missing_serializer_names_the_state_the_type_and_the_operator()
    {
        var ex = Assert.Throws<SerializationException>(() => NewBackend("enricher").GetListState(new ListStateDescriptor<Unserializable>("things")));
        Assert.Contains("'things'", ex.Message);
        Assert.Contains("'enricher'", ex.Message);
        Assert.Contains(nameof(Unserializable), ex.Message);
    }

    [Fact]
    public void Restoring_with_a_serializer_that_reads_fewer_bytes_throws()
    {
        var backend = NewBackend();
        backend.GetListState(new ListStateDescriptor<long>("s")).Add(5);
        var restored = RoundTrip(backend, "op");
        var ex = Assert.Throws<SerializationException>(() => restored.GetListState(new ListStateDescriptor<int>("s")));
        Assert.Contains("'s'", ex.Message);
    }

    [Fact]
    public void Restore_after_obtaining_state_throws()
    {
        var backend = NewBackend();
        backend.GetListState(new ListStateDescriptor<int>("s"));
        Assert.Throws<InvalidOperationException>(() => backend.Restore(OperatorStateSnapshotData.Empty));
    }

    [Fact]
    public void Corrupt_or_truncated_bytes_are_named()
    {
        var backend = NewBackend();
        backend.GetListState(new ListStateDescriptor<string>("s")).Add("some text here");
        byte[] bytes = backend.Snapshot().ToArray();

        Assert.Contains("truncated", Assert.Throws<SerializationException>(() => OperatorStateSnapshotData.Read(bytes.AsSpan(0, bytes.Length - 3))).Message);
        Assert.Contains("OPST", Assert.Throws<SerializationException>(() => OperatorStateSnapshotData.Read([1, 2, 3, 4, 5, 6])).Message);
        byte[] wrongVersion = (byte[])bytes.Clone();
        wrongVersion[4] = 9;
        Assert.Contains("version 9", Assert.Throws<SerializationException>(() => OperatorStateSnapshotData.Read(wrongVersion)).Message);
    }

    private sealed class Unserializable
    {
    }
}
