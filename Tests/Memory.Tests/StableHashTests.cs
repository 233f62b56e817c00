using System.Text;
using FsCheck.Fluent;

namespace DataflowCompiler.Memory.Tests;

public sealed class StableHashTests
{
    // Published MurmurHash3 x86_32 test vectors (SMHasher / the widely used verification table),
    // checked against an independent implementation before being written down here.
    [Theory]
    [InlineData("", 0u, 0x00000000u)]
    [InlineData("", 1u, 0x514E28B7u)]
    [InlineData("", 0xFFFFFFFFu, 0x81F16F39u)]
    [InlineData("a", 0x9747B28Cu, 0x7FA09EA6u)]
    [InlineData("ab", 0x9747B28Cu, 0x74875592u)]
    [InlineData("abc", 0x9747B28Cu, 0xC84A62DDu)]
    [InlineData("abcd", 0x9747B28Cu, 0xF0478627u)]
    [InlineData("aaaa", 0x9747B28Cu, 0x5A97808Au)]
    [InlineData("Hello, world!", 0x9747B28Cu, 0x24884CBAu)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x9747B28Cu, 0x2FA826CDu)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0u, 0x2E4FF723u)]
    [InlineData("hello", 0u, 0x248BFA47u)]
    public void Known_vectors(string text, uint seed, uint expected) =>
        Assert.Equal(expected, (uint)StableHash.Murmur3(Encoding.UTF8.GetBytes(text), seed));

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0 }, 0u, 0x2362F9DEu)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, 0u, 0x76293B50u)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65, 0x87 }, 0u, 0xF55B516Bu)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65, 0x87 }, 0x5082EDEEu, 0x2362F9DEu)]
    [InlineData(new byte[] { 0x21, 0x43, 0x65 }, 0u, 0x7E4A8634u)]
    [InlineData(new byte[] { 0x21, 0x43 }, 0u, 0xA0F7B07Au)]
    [InlineData(new byte[] { 0x21 }, 0u, 0x72661CF4u)]
    public void Known_byte_vectors(byte[] data, uint seed, uint expected) =>
        Assert.Equal(expected, (uint)StableHash.Murmur3(data, seed));

    [Fact]
    public void Agrees_with_a_reference_implementation_on_random_input()
    {
        var cases = Gen.Zip(Gens.Of<byte[]>().Where(b => b is not null), Gens.Of<uint>());
        Properties.Check(cases.ToArbitrary(), c => Assert.Equal(Reference(c.Item1, c.Item2), (uint)StableHash.Murmur3(c.Item1, c.Item2)), maxTest: 300);
    }

    /// <summary>
    /// MurmurHash3_x86_32 written straight from Austin Appleby's reference C code, byte by byte,
    /// sharing nothing with the implementation under test.
    /// </summary>
    private static uint Reference(byte[] data, uint seed)
    {
        static uint Rotl(uint x, int r) => (x << r) | (x >> (32 - r));
        static uint Fmix(uint h)
        {
            h ^= h >> 16;
            h *= 0x85EBCA6B;
            h ^= h >> 13;
            h *= 0xC2B2AE35;
            h ^= h >> 16;
            return h;
        }
        const uint c1 = 0xCC9E2D51, c2 = 0x1B873593;
        uint h1 = seed;
        int nblocks = data.Length / 4;
        for (int i = 0; i < nblocks; i++)
        {
            uint k1 = data[4 * i] | (uint)data[4 * i + 1] << 8 | (uint)data[4 * i + 2] << 16 | (uint)data[4 * i + 3] << 24;
            k1 *= c1;
            k1 = Rotl(k1, 15);
            k1 *= c2;
            h1 ^= k1;
            h1 = Rotl(h1, 13);
            h1 = h1 * 5 + 0xE6546B64;
        }
        int tail = nblocks * 4;
        uint k = 0;
        int rest = data.Length & 3;
        if (rest >= 3) k ^= (uint)data[tail + 2] << 16;
        if (rest >= 2) k ^= (uint)data[tail + 1] << 8;
        if (rest >= 1)
        {
            k ^= data[tail];
            k *= c1;
            k = Rotl(k, 15);
            k *= c2;
            h1 ^= k;
        }
        h1 ^= (uint)data.Length;
        return Fmix(h1);
    }
}
