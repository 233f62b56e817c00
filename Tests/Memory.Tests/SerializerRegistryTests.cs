using System.Text;
using DataflowCompiler.Memory.Serialization;
using FsCheck.Fluent;

namespace DataflowCompiler.Memory.Tests;

public sealed class SerializerRegistryTests
{
    private static byte[] Serialize<T>(IRecordSerializer<T> serializer, T value)
    {
        var output = new DataOutputSerializer();
        serializer.Serialize(value, output);
        return output.ToArray();
    }

    private static T Deserialize<T>(IRecordSerializer<T> serializer, byte[] bytes)
    {
        var input = new DataInputView(bytes);
        var value = serializer.Deserialize(ref input);
        Assert.Equal(0, input.Remaining);
        return value;
    }

    [Fact]
    public void Type_without_serializer_is_named_by_full_name()
    {
        var e = Assert.Throws<SerializationException>(() => new SerializerRegistry().Get<Unregistered>());
        Assert.StartsWith("No serializer for type 'DataflowCompiler.Memory.Tests.Unregistered'.", e.Message);
        Assert.Contains("Register<Unregistered>", e.Message);
    }

    [Fact]
    public void Composite_names_the_element_that_has_no_serializer()
    {
        var registry = new SerializerRegistry();
        var list = Assert.Throws<SerializationException>(() => registry.Get<List<Unregistered>>());
        Assert.StartsWith(
            "No serializer for type 'DataflowCompiler.Memory.Tests.Unregistered' (element of 'System.Collections.Generic.List<DataflowCompiler.Memory.Tests.Unregistered>')",
            list.Message);

        var nested = Assert.Throws<SerializationException>(() => registry.Get<(int, Unregistered[])?[]>());
        Assert.StartsWith(
            "No serializer for type 'DataflowCompiler.Memory.Tests.Unregistered' (element of 'DataflowCompiler.Memory.Tests.Unregistered[]'"
            + " in 'System.ValueTuple<System.Int32, DataflowCompiler.Memory.Tests.Unregistered[]>'"
            + " in 'System.Nullable<System.ValueTuple<System.Int32, DataflowCompiler.Memory.Tests.Unregistered[]>>'"
            + " in 'System.Nullable<System.ValueTuple<System.Int32, DataflowCompiler.Memory.Tests.Unregistered[]>>[]')",
            nested.Message);
    }

    [Fact]
    public void Reference_types_inside_structs_are_not_copied_as_bytes()
    {
        var e = Assert.Throws<SerializationException>(() => new SerializerRegistry().Get<KeyValuePair<int, string>>());
        Assert.Contains("'System.Collections.Generic.KeyValuePair<System.Int32, System.String>'", e.Message);
    }

    [Fact]
    public void Value_tuples_beyond_seven_elements_say_why()
    {
        var e = Assert.Throws<SerializationException>(() => new SerializerRegistry().Get<(int, int, int, int, int, int, int, int)>());
        Assert.Contains("more than 7 elements", e.Message);
    }

    [Fact]
    public void CanSerialize_and_TryGet_agree_with_Get()
    {
        var registry = new SerializerRegistry();
        Assert.True(registry.CanSerialize<List<(string, int?)>>());
        Assert.False(registry.CanSerialize<List<Unregistered>>());
        Assert.False(registry.TryGet<Unregistered>(out _));
        Assert.True(registry.TryGet<int[]>(out var ints));
        Assert.Same(ints, registry.Get<int[]>());
        Assert.Same(registry.Get<int[]>(), registry.Get(typeof(int[])));
    }

    [Fact]
    public void List_interfaces_resolve_to_the_list_serializer()
    {
        var registry = new SerializerRegistry();
        var list = registry.Get<List<string>>();
        Assert.IsType<ListSerializer<string>>(list);
        Assert.Same(list, registry.Get<IReadOnlyList<string>>());
        Assert.Same(list, registry.Get<IList<string>>());
        // The same bytes whichever way a list is typed, and the same as an array.
        string[] values = ["a", null!, "\u00E7"];
        byte[] bytes = Serialize(registry.Get<string[]>(), values);
        Assert.Equal(bytes, Serialize(list, values.ToList()));
        Assert.Equal(bytes, Serialize(registry.Get<IReadOnlyList<string>>(), values));
        Assert.Equal(bytes, Serialize(registry.Get<IList<string>>(), values));
    }

    [Fact]
    public void Registered_serializer_wins_over_built_in_and_reaches_composites()
    {
        var registry = new SerializerRegistry();
        Assert.Equal(4 + 1, Serialize(registry.Get<int?>(), 7).Length); // built-in before registration
        var varint = RecordSerializer.Create<int>((v, o) => o.WriteVarUInt32((uint)v), (ref DataInputView i) => (int)i.ReadVarUInt32());
        registry.Register(varint);
        Assert.Same(varint, registry.Get<int>());
        Assert.Equal([1, 7], Serialize(registry.Get<int?>(), 7)); // composite resolved again with the registered element
        Assert.Equal([3, 1, 2], Serialize(registry.Get<List<int>>(), [1, 2]));
    }

    [Fact]
    public void Bool_is_written_canonically()
    {
        var serializer = new SerializerRegistry().Get<bool>();
        byte two = 2;
        bool odd = System.Runtime.CompilerServices.Unsafe.As<byte, bool>(ref two);
        Assert.Equal([1], Serialize(serializer, odd));
        Assert.True(Deserialize(serializer, [1]));
        Assert.False(Deserialize(serializer, [0]));
    }

    [Fact]
    public void DateTime_keeps_its_kind_and_DateTimeOffset_its_offset()
    {
        var registry = new SerializerRegistry();
        var local = new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Local);
        Assert.Equal(DateTimeKind.Local, Deserialize(registry.Get<DateTime>(), Serialize(registry.Get<DateTime>(), local)).Kind);
        var offset = new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.FromHours(-5.5));
        var back = Deserialize(registry.Get<DateTimeOffset>(), Serialize(registry.Get<DateTimeOffset>(), offset));
        Assert.Equal(offset.Offset, back.Offset);
        Assert.Equal(offset.Ticks, back.Ticks);
        Assert.Equal(10, Serialize(registry.Get<DateTimeOffset>(), offset).Length);
    }

    [Fact]
    public void Null_string_byte_array_list_and_array_survive_and_differ_from_empty()
    {
        var registry = new SerializerRegistry();
        Assert.Null(Deserialize(registry.Get<string>(), Serialize(registry.Get<string>(), null!)));
        Assert.Equal("", Deserialize(registry.Get<string>(), Serialize(registry.Get<string>(), "")));
        Assert.Null(Deserialize(registry.Get<byte[]>(), Serialize(registry.Get<byte[]>(), null!)));
        Assert.Empty(Deserialize(registry.Get<byte[]>(), Serialize(registry.Get<byte[]>(), [])));
        Assert.Null(Deserialize(registry.Get<List<int>>(), Serialize(registry.Get<List<int>>(), null!)));
        Assert.Empty(Deserialize(registry.Get<int[]>(), Serialize(registry.Get<int[]>(), [])));
    }

    [Fact]
    public void Strings_are_UTF8_and_lone_surrogates_become_replacement_characters()
    {
        var serializer = new SerializerRegistry().Get<string>();
        Assert.Equal([4, (byte)'h', 0xC3, 0xA9], Serialize(serializer, "h\u00E9"));
        // UTF-8 cannot carry a lone surrogate; it is replaced, as Encoding.UTF8 does.
        Assert.Equal("a\uFFFDb", Deserialize(serializer, Serialize(serializer, "a\uD800b")));
    }

    [Fact]
    public void User_record_by_composition_round_trips_inside_composites()
    {
        var registry = Registries.WithClick();
        var click = new Click("/home", 42, new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc), ["a", null!, "b"]);
        var serializer = registry.Get<(Click, long)?>();
        var back = Deserialize(serializer, Serialize(serializer, (click, 7L)));
        Assert.True(back.HasValue);
        Assert.True(Deep.Equal(click, back.Value.Item1));
        Assert.Equal(7L, back.Value.Item2);
    }

    [Fact]
    public void Truncated_bytes_throw_SerializationException_for_every_strict_prefix()
    {
        // The formats are prefix-free: reading any strict prefix of a value's bytes runs out of input.
        var registry = Registries.WithClick();
        var serializer = registry.Get<(string?, List<int?>?, Click, DateTimeOffset)>();
        var gen =
            from s in Gens.Strings
            from l in Gens.ListOf(Gens.Nullable(Gens.Of<int>()))
            from c in Gens.Clicks
            from d in Gens.DateTimeOffsets
            select (s, l, c, d);
        Properties.Check(gen.ToArbitrary(), value =>
        {
            byte[] bytes = Serialize(serializer, value);
            for (int length = 0; length < bytes.Length; length++)
            {
                byte[] prefix = bytes[..length];
                Assert.Throws<SerializationException>(() => Deserialize(serializer, prefix));
            }
        }, maxTest: 30);
    }

    [Fact]
    public void Corrupt_counts_and_flags_throw_SerializationException()
    {
        var registry = new SerializerRegistry();
        // count + 1 = 0xFFFFFFFF: far more elements than bytes; must fail on input, not allocate 4 billion slots.
        byte[] hugeCount = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2, 3];
        Assert.Throws<SerializationException>(() => Deserialize(registry.Get<List<int>>(), hugeCount));
        Assert.Throws<SerializationException>(() => Deserialize(registry.Get<long[]>(), hugeCount));
        Assert.Throws<SerializationException>(() => Deserialize(registry.Get<byte[]>(), hugeCount));
        var flag = Assert.Throws<SerializationException>(() => Deserialize(registry.Get<int?>(), [7, 0, 0, 0, 0]));
        Assert.Contains("null flag 7", flag.Message);
        Assert.Contains("out of range", Assert.Throws<SerializationException>(() => Deserialize(registry.Get<string>(), [0xFF, 0xFF, 0xFF, 0xFF, 0x7F])).Message);
    }

    [Fact]
    public void Decimal_keeps_its_scale()
    {
        var serializer = new SerializerRegistry().Get<decimal>();
        Assert.Equal(2, Deserialize(serializer, Serialize(serializer, 1.00m)).Scale);
        // Equal values of different scale keep their representation and so their bytes differ (documented).
        Assert.NotEqual(Serialize(serializer, 1.0m), Serialize(serializer, 1.00m));
    }

    [Fact]
    public void Resolution_is_thread_safe_and_yields_one_instance_per_type()
    {
        var registry = new SerializerRegistry();
        var found = new object[8];
        Parallel.For(0, found.Length, i => found[i] = registry.Get<List<(string, int?)>>());
        Assert.All(found, s => Assert.Same(found[0], s));
    }
}
