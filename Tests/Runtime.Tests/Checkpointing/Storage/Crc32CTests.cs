using System.Text;
using DataflowCompiler.Checkpointing.Storage;
using FsCheck;
using FsCheck.Fluent;

namespace DataflowCompiler.Runtime.Tests.Checkpointing.Storage;

public sealed class Crc32CTests
{
    public static TheoryData<byte[], uint> KnownVectors => new()
    {
        { [], 0x00000000 },
        { Encoding.ASCII.GetBytes("123456789"), 0xE3069283 },
        { Encoding.ASCII.GetBytes("a"), 0xC1D04330 },
        // RFC 3720 (iSCSI), appendix B.4.
        { new byte[32], 0x8A9136AA },
        { Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43 },
        { Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794E },
        { Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5C },
    };

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void Matches_the_known_vectors(byte[] data, uint expected)
    {
        Assert.Equal(expected, Crc32C.Compute(data));
        Assert.Equal(expected, Crc32C.AppendSoftware(0, data));
        Assert.Equal(expected, Crc32C.AppendHardware(0, data));
    }

    [Fact]
    public void Hardware_and_software_agree_on_any_input_and_alignment()
    {
        Assert.True(Crc32C.IsHardwareAccelerated, "the machines running the tests have SSE4.2 or ARMv8 CRC instructions");
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), Arb.From(Gen.Choose(0, 7)), ArbMap.Default.ArbFor<uint>(), (data, skip, seed) =>
        {
            ReadOnlySpan<byte> unaligned = data.AsSpan(Math.Min(skip, data.Length));
            Assert.Equal(Crc32C.AppendSoftware(seed, unaligned), Crc32C.AppendHardware(seed, unaligned));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(300));
    }

    [Fact]
    public void Appending_equals_computing_over_the_concatenation()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<byte[]>(), (a, b) =>
        {
            uint whole = Crc32C.Compute([.. a, .. b]);
            Assert.Equal(whole, Crc32C.Append(Crc32C.Compute(a), b));
            Assert.Equal(whole, Crc32C.AppendSoftware(Crc32C.AppendSoftware(0, a), b));
        }).Check(Config.QuickThrowOnFailure);
    }
}
