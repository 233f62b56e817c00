using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Memory.Tests;

/// <summary>Steady-state serialization of fixed-size values allocates nothing (bytes, never durations).</summary>
public sealed class AllocationTests
{
    private const int Iterations = 10_000;

    [Fact]
    public void Serializing_an_int_allocates_nothing() => AssertNoAllocation(new SerializerRegistry().Get<int>(), 12345);

    [Fact]
    public void Serializing_a_16_byte_struct_allocates_nothing() => AssertNoAllocation(new SerializerRegistry().Get<Pair16>(), new Pair16(1, -2));

    [Fact]
    public void Serializing_a_nullable_tuple_of_unmanaged_values_allocates_nothing() =>
        AssertNoAllocation(new SerializerRegistry().Get<(int, long?, Guid)>(), (1, 2L, Guid.Empty));

    private static void AssertNoAllocation<T>(IRecordSerializer<T> serializer, T value)
    {
        var output = new DataOutputSerializer();
        T sink = default!;
        Run(); // warm up: JIT, tiering, buffer capacity
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(value, sink);

        void Run()
        {
            for (int i = 0; i < Iterations; i++)
            {
                output.Clear();
                serializer.Serialize(value, output);
                var input = new DataInputView(output.WrittenSpan);
                sink = serializer.Deserialize(ref input);
            }
        }
    }
}
