using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Memory.Tests;

/// <summary>Generators for every type the built-in serializers handle.</summary>
internal static class Gens
{
    public static Gen<T> Of<T>() => ArbMap.Default.ArbFor<T>().Generator;

    public static Gen<T?> OrNull<T>(Gen<T> gen) where T : class =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (6, gen.Select(v => (T?)v)));

    public static Gen<T?> Nullable<T>(Gen<T> gen) where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (3, gen.Select(v => (T?)v)));

    // Code points from every UTF-8 length class (1 to 4 bytes); never a lone surrogate, which UTF-8
    // cannot represent (see SerializerRegistryTests for what happens to those).
    private static readonly Gen<int> CodePoint = Gen.OneOf(
        Gen.Choose(0, 0x7F), Gen.Choose(0x80, 0x7FF), Gen.Choose(0x800, 0xD7FF), Gen.Choose(0xE000, 0xFFFF), Gen.Choose(0x10000, 0x10FFFF));

    private static Gen<string> StringOf(Gen<int[]> codePoints) =>
        codePoints.Select(cps => string.Concat(cps.Select(char.ConvertFromUtf32)));

    /// <summary>Well-formed strings: empty, ASCII-heavy, any Unicode, and long ones (past the 256-byte stack path).</summary>
    public static readonly Gen<string> NonNullStrings = Gen.Frequency(
        (1, Gen.Constant("")),
        (3, StringOf(Gen.ArrayOf(Gen.Choose(0x20, 0x7E)))),
        (3, StringOf(Gen.ArrayOf(CodePoint))),
        (1, Gen.Choose(60, 400).SelectMany(n => StringOf(Gen.ArrayOf(CodePoint, n)))));

    public static readonly Gen<string?> Strings = OrNull(NonNullStrings);

    public static readonly Gen<byte[]?> ByteArrays = OrNull(Gen.ArrayOf(Of<byte>()));

    private static readonly long MaxTicks = DateTime.MaxValue.Ticks;

    private static long InRange(long random, long low, long high) => low + (long)((ulong)random % (ulong)(high - low + 1));

    public static readonly Gen<DateTime> DateTimes =
        from ticks in Of<long>()
        from kind in Gen.Elements(DateTimeKind.Unspecified, DateTimeKind.Utc, DateTimeKind.Local)
        select new DateTime(InRange(ticks, 0, MaxTicks), kind);

    public static readonly Gen<DateTimeOffset> DateTimeOffsets =
        from random in Of<long>()
        from minutes in Gen.Choose(-14 * 60, 14 * 60)
        let offset = minutes * TimeSpan.TicksPerMinute
        select new DateTimeOffset(InRange(random, Math.Max(0, offset), Math.Min(MaxTicks, MaxTicks + offset)), TimeSpan.FromMinutes(minutes));

    public static readonly Gen<TimeSpan> TimeSpans = Of<long>().Select(t => new TimeSpan(t));

    public static readonly Gen<Guid> Guids = Gen.ArrayOf(Of<byte>(), 16).Select(b => new Guid(b));

    /// <summary>Decimals of every scale, so 1.0 and 1.00 style representations are covered.</summary>
    public static readonly Gen<decimal> Decimals =
        from lo in Of<int>()
        from mid in Of<int>()
        from hi in Of<int>()
        from negative in Of<bool>()
        from scale in Gen.Choose(0, 28)
        select new decimal(lo, mid, hi, negative, (byte)scale);

    public static readonly Gen<Half> Halves = Of<ushort>().Select(BitConverter.UInt16BitsToHalf);

    public static readonly Gen<Int128> Int128s = Gen.Zip(Of<ulong>(), Of<ulong>()).Select(p => new Int128(p.Item1, p.Item2));

    // Includes values outside the declared members: enums round trip any underlying value.
    public static readonly Gen<Color> Colors = Gen.Choose(-2, 5).Select(i => (Color)i);

    public static readonly Gen<Small> Smalls = Of<byte>().Select(b => (Small)b);

    public static readonly Gen<Wide> Wides = Of<long>().Select(l => (Wide)l);

    public static readonly Gen<Point3> Point3s =
        from x in Of<long>()
        from y in Of<int>()
        from z in Of<int>()
        from w in Of<double>()
        select new Point3 { X = x, Y = y, Z = z, W = w };

    public static readonly Gen<Pair16> Pair16s = Gen.Zip(Of<long>(), Of<long>()).Select(p => new Pair16(p.Item1, p.Item2));

    public static Gen<T[]?> ArrayOf<T>(Gen<T> element) => OrNull(Gen.ArrayOf(element));

    public static Gen<List<T>?> ListOf<T>(Gen<T> element) => OrNull(Gen.ArrayOf(element).Select(a => a.ToList()));

    public static readonly Gen<Click> Clicks =
        from url in NonNullStrings
        from user in Of<int>()
        from at in DateTimes
        from tags in Gen.ArrayOf(Strings)
        select new Click(url, user, at, tags.ToList()!);
}
