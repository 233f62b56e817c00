using DataflowCompiler.Memory.Serialization;
using FsCheck.Fluent;
using static DataflowCompiler.Memory.Tests.Gens;

namespace DataflowCompiler.Memory.Tests;

/// <summary>Round-trip properties (see <see cref="RoundTrip.Check{T}"/>) for every built-in serializer.</summary>
public sealed class SerializerRoundTripTests
{
    // Primitives
    [Fact] public void Byte() => RoundTrip.Check(Of<byte>());
    [Fact] public void SByte() => RoundTrip.Check(Of<sbyte>());
    [Fact] public void Int16() => RoundTrip.Check(Of<short>());
    [Fact] public void UInt16() => RoundTrip.Check(Of<ushort>());
    [Fact] public void Int32() => RoundTrip.Check(Of<int>());
    [Fact] public void UInt32() => RoundTrip.Check(Of<uint>());
    [Fact] public void Int64() => RoundTrip.Check(Of<long>());
    [Fact] public void UInt64() => RoundTrip.Check(Of<ulong>());
    [Fact] public void Int128Values() => RoundTrip.Check(Int128s);
    [Fact] public void Single() => RoundTrip.Check(Of<float>());
    [Fact] public void Double() => RoundTrip.Check(Of<double>());
    [Fact] public void HalfValues() => RoundTrip.Check(Halves);
    [Fact] public void DecimalValues() => RoundTrip.Check(Decimals);
    [Fact] public void Char() => RoundTrip.Check(Of<char>());
    [Fact] public void Boolean() => RoundTrip.Check(Of<bool>());
    [Fact] public void NativeInt() => RoundTrip.Check(Of<long>().Select(l => (nint)l));

    // Strings and bytes
    [Fact] public void StringValues() => RoundTrip.Check(Strings);
    [Fact] public void ByteArray() => RoundTrip.Check(ByteArrays);

    // Time and identity
    [Fact] public void DateTimeValues() => RoundTrip.Check(DateTimes);
    [Fact] public void DateTimeOffsetValues() => RoundTrip.Check(DateTimeOffsets);
    [Fact] public void TimeSpanValues() => RoundTrip.Check(TimeSpans);
    [Fact] public void GuidValues() => RoundTrip.Check(Guids);
    [Fact] public void DateOnlyValues() => RoundTrip.Check(Gen.Choose(0, 3_652_058).Select(DateOnly.FromDayNumber));

    // Enums
    [Fact] public void IntEnum() => RoundTrip.Check(Colors);
    [Fact] public void ByteEnum() => RoundTrip.Check(Smalls);
    [Fact] public void LongFlagsEnum() => RoundTrip.Check(Wides);

    // Nullable values
    [Fact] public void NullableInt() => RoundTrip.Check(Nullable(Of<int>()));
    [Fact] public void NullableBool() => RoundTrip.Check(Nullable(Of<bool>()));
    [Fact] public void NullableDateTime() => RoundTrip.Check(Nullable(DateTimes));
    [Fact] public void NullableDateTimeOffset() => RoundTrip.Check(Nullable(DateTimeOffsets));
    [Fact] public void NullableEnum() => RoundTrip.Check(Nullable(Colors));
    [Fact] public void NullableStruct() => RoundTrip.Check(Nullable(Point3s));
    [Fact] public void NullableTuple() => RoundTrip.Check(Nullable(Gen.Zip(Of<int>(), Strings).Select(p => (p.Item1, p.Item2))));

    // Unmanaged structs
    [Fact] public void UnmanagedStruct() => RoundTrip.Check(Point3s);
    [Fact] public void UnmanagedRecordStruct() => RoundTrip.Check(Pair16s);

    // Value tuples, arity 1..7, mixing fixed-size, variable-size and composite elements
    [Fact] public void Tuple1() => RoundTrip.Check(Strings.Select(s => new ValueTuple<string?>(s)));

    [Fact] public void Tuple2() => RoundTrip.Check(Gen.Zip(Strings, Of<long>()).Select(p => (p.Item1, p.Item2)));
    [Fact] public void FixedSizeTuple2() => RoundTrip.Check(Gen.Zip(Of<int>(), Of<double>()).Select(p => (p.Item1, p.Item2)));
    [Fact] public void NestedFixedSizeTuple2() => RoundTrip.Check(Gen.Zip(Gen.Zip(Of<int>(), Of<short>()), Of<long>()).Select(p => ((p.Item1.Item1, p.Item1.Item2), p.Item2)));

    [Fact]
    public void A_pair_has_a_fixed_size_exactly_when_both_elements_do()
    {
        var registry = new SerializerRegistry();
        var pair = Assert.IsAssignableFrom<IFixedSizeSerializer<(long, long)>>(registry.Get<(long, long)>());
        Assert.Equal(16, pair.FixedSize);
        Assert.Equal(12, Assert.IsAssignableFrom<IFixedSizeSerializer<(int, double)>>(registry.Get<(int, double)>()).FixedSize);
        Assert.Equal(14, Assert.IsAssignableFrom<IFixedSizeSerializer<((int, short), long)>>(registry.Get<((int, short), long)>()).FixedSize);
        var mixed = Assert.IsAssignableFrom<IFixedSizeSerializer<(string?, long)>>(registry.Get<(string?, long)>());
        Assert.Equal(0, mixed.FixedSize);
        Assert.Throws<NotSupportedException>(() => mixed.Read(new byte[16]));
        Assert.Throws<NotSupportedException>(() => mixed.Write(("a", 1), new byte[16]));
    }

    [Fact]
    public void Tuple3() => RoundTrip.Check(
        from a in Of<int>() from b in Strings from c in Nullable(Of<double>()) select (a, b, c));

    [Fact]
    public void Tuple4() => RoundTrip.Check(
        from a in Of<bool>() from b in Of<byte>() from c in Strings from d in Guids select (a, b, c, d));

    [Fact]
    public void Tuple5() => RoundTrip.Check(
        from a in DateTimes from b in Strings from c in Nullable(Of<int>()) from d in Colors from e in Of<long>() select (a, b, c, d, e));

    [Fact]
    public void Tuple6() => RoundTrip.Check(
        from a in Of<byte>()
        from b in Of<short>()
        from c in Strings
        from d in ListOf(Of<int>())
        from e in Decimals
        from f in Of<char>()
        select (a, b, c, d, e, f));

    [Fact]
    public void Tuple7() => RoundTrip.Check(
        from a in Of<int>()
        from b in Strings
        from c in ByteArrays
        from d in Of<bool>()
        from e in DateTimeOffsets
        from f in TimeSpans
        from g in Guids
        select (a, b, c, d, e, f, g));

    [Fact]
    public void NestedTuple() => RoundTrip.Check(
        from a in Of<int>() from b in Strings from c in Of<long>() select (a, (b, c)));

    // Arrays and lists
    [Fact] public void IntArray() => RoundTrip.Check(ArrayOf(Of<int>()));
    [Fact] public void StringArray() => RoundTrip.Check(ArrayOf(Strings));
    [Fact] public void GuidArray() => RoundTrip.Check(ArrayOf(Guids));
    [Fact] public void DateTimeArray() => RoundTrip.Check(ArrayOf(DateTimes));
    [Fact] public void EnumArray() => RoundTrip.Check(ArrayOf(Colors));
    [Fact] public void ByteArrayArray() => RoundTrip.Check(ArrayOf(ByteArrays));
    [Fact] public void StringList() => RoundTrip.Check(ListOf(Strings));
    [Fact] public void NullableIntList() => RoundTrip.Check(ListOf(Nullable(Of<int>())));
    [Fact] public void TupleList() => RoundTrip.Check(ListOf(Gen.Zip(Of<int>(), Strings).Select(p => (p.Item1, p.Item2))));
    [Fact] public void ListOfArrays() => RoundTrip.Check(ListOf(ArrayOf(Of<long>())));
    [Fact] public void StructList() => RoundTrip.Check(ListOf(Point3s));
    [Fact] public void ReadOnlyListInterface() => RoundTrip.Check(ListOf(Strings).Select(l => (IReadOnlyList<string?>?)l));
    [Fact] public void ReadOnlyListInterfaceOverArray() => RoundTrip.Check(ArrayOf(Of<int>()).Select(a => (IReadOnlyList<int>?)a));
    [Fact] public void ListInterface() => RoundTrip.Check(ListOf(Of<long>()).Select(l => (IList<long>?)l));

    // User records by composition, alone and inside composites
    [Fact] public void UserRecord() => RoundTrip.Check(Clicks, Registries.WithClick());
    [Fact] public void UserRecordList() => RoundTrip.Check(ListOf(Clicks), Registries.WithClick());
    [Fact] public void UserRecordInTuple() => RoundTrip.Check(Gen.Zip(Clicks, Of<long>()).Select(p => (p.Item1, p.Item2)), Registries.WithClick());
}
