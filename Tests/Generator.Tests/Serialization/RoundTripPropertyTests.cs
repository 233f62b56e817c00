using System.Reflection;
using DataflowCompiler.Memory.Serialization;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Generator.Tests.Serialization;

/// <summary>
/// Values of the generated types survive a round trip through their generated serializers. FsCheck prints the
/// seed of a failure ("(seed,gamma)") with the shrunk counterexample.
/// </summary>
public sealed class RoundTripPropertyTests
{
    private static readonly Lazy<Assembly> s_shop = new(() => GeneratorHarness.CompileAndLoad(TestSources.Shop));

    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true);

    // Well-formed text (no lone surrogates, which UTF-8 cannot carry): ASCII, Latin, CJK and astral characters.
    private static readonly Gen<string> s_strings =
        Gen.ArrayOf(Gen.Elements("a", "Z", "0", " ", ",", "é", "ß", "中", "😀", "\0")).Select(parts => string.Concat(parts));

    private static readonly Gen<string?> s_nullableStrings = Gen.Frequency((1, Gen.Constant<string?>(null)), (4, s_strings.Select(s => (string?)s)));

    private static Gen<T> Of<T>() => ArbMap.Default.ArbFor<T>().Generator;

    [Fact]
    public void Records_with_strings_longs_lists_nested_and_nullable_members_round_trip()
    {
        var check = Probe<Func<long, string, string[], string?, string?, int, long?, bool, decimal, string?, string?>>("CheckOrder");
        var orders =
            from id in Of<long>()
            from customer in s_strings
            from tags in Gen.ArrayOf(s_strings)
            from city in s_nullableStrings
            from street in s_nullableStrings
            from zip in Of<int>()
            from discount in Gen.Frequency((1, Gen.Constant<long?>(null)), (2, Of<long>().Select(d => (long?)d)))
            from closed in Of<bool>()
            from total in Of<decimal>()
            from note in s_nullableStrings
            select (id, customer, tags, city, street, zip, discount, closed, total, note);

        Prop.ForAll(orders.ToArbitrary(), o =>
        {
            string? difference = check(o.id, o.customer, o.tags, o.city, o.street, o.zip, o.discount, o.closed, o.total, o.note);
            Assert.True(difference is null, difference);
        }).Check(s_config);
    }

    [Fact]
    public void Classes_with_init_properties_and_structs_round_trip()
    {
        var check = Probe<Func<string, int[], bool, long, string, long, string?>>("CheckCustomer");
        var customers =
            from name in s_strings
            from xs in Gen.ArrayOf(Of<int>())
            from noVisits in Of<bool>()
            from ticks in Gen.Choose(0, int.MaxValue).Select(t => t * 4_000_000L)
            from key in s_strings
            from value in Of<long>()
            select (name, xs, noVisits, ticks, key, value);

        Prop.ForAll(customers.ToArbitrary(), c =>
        {
            string? difference = check(c.name, c.xs, c.noVisits, c.ticks, c.key, c.value);
            Assert.True(difference is null, difference);
        }).Check(s_config);
    }

    [Fact]
    public void A_simple_record_gives_the_bytes_of_a_hand_written_composition_of_its_fields()
    {
        var generated = Probe<Func<long, string, int, byte[]>>("ClickBytes");
        var registry = new SerializerRegistry();
        var userId = registry.Get<long>();
        var url = registry.Get<string>();
        var count = registry.Get<int>();
        var clicks = from id in Of<long>() from u in s_nullableStrings from n in Of<int>() select (id, u, n);

        Prop.ForAll(clicks.ToArbitrary(), c =>
        {
            // The reference: Click(long UserId, string Url, int Count) written field by field with the built-in serializers.
            var expected = new DataOutputSerializer();
            userId.Serialize(c.id, expected);
            url.Serialize(c.u!, expected);
            count.Serialize(c.n, expected);
            Assert.Equal(expected.ToArray(), generated(c.id, c.u!, c.n));
        }).Check(s_config);
    }

    [Fact]
    public void A_nullable_nested_record_is_a_flag_byte_then_the_nested_members()
    {
        var generated = Probe<Func<long, string?, string?, int, byte[]>>("ParcelBytes");
        var parcels = from id in Of<long>() from city in s_nullableStrings from street in s_nullableStrings from zip in Of<int>() select (id, city, street, zip);

        Prop.ForAll(parcels.ToArbitrary(), p =>
        {
            // The reference: Parcel(long Id, Address? To) with Address(string City, string? Street, int Zip), by hand.
            var expected = new DataOutputSerializer();
            expected.WriteInt64(p.id);
            if (p.city is null)
            {
                expected.WriteByte(0);
            }
            else
            {
                expected.WriteByte(1);
                expected.WriteString(p.city);
                expected.WriteString(p.street);
                expected.WriteInt32(p.zip);
            }
            Assert.Equal(expected.ToArray(), generated(p.id, p.city, p.street, p.zip));
        }).Check(s_config);
    }

    private static T Probe<T>(string method) where T : Delegate =>
        s_shop.Value.GetType("Shop.Probe", throwOnError: true)!.GetMethod(method)!.CreateDelegate<T>();
}
