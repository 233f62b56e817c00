using DataflowCompiler.Memory.Serialization;

namespace DataflowCompiler.Memory.Tests;

public sealed class DataInputViewTests
{
    [Fact]
    public void Underflow_says_how_many_bytes_were_wanted_and_left()
    {
        var e = Assert.Throws<SerializationException>(() =>
        {
            var input = new DataInputView([1, 2, 3, 4, 5, 6]);
            input.ReadInt32();
            input.ReadInt32();
        });
        Assert.Equal("Tried to read 4 bytes at offset 4, but only 2 remain in the record.", e.Message);
    }

    [Fact]
    public void Empty_input_underflows_on_first_read()
    {
        Assert.Throws<SerializationException>(() => new DataInputView([]).ReadByte());
        Assert.Throws<SerializationException>(() => new DataInputView([0x80, 0x80]).ReadVarUInt32());
        Assert.Throws<SerializationException>(() => new DataInputView([1]).ReadUnmanaged<Guid>());
    }

    [Fact]
    public void Malformed_varint_is_reported()
    {
        var e = Assert.Throws<SerializationException>(() => new DataInputView([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).ReadVarUInt32());
        Assert.Contains("Malformed variable-length integer", e.Message);
    }

    [Fact]
    public void Values_are_little_endian()
    {
        var output = new DataOutputSerializer();
        output.WriteInt32(0x01020304);
        output.WriteVarUInt32(300);
        Assert.Equal([4, 3, 2, 1, 0xAC, 0x02], output.ToArray());
        var input = new DataInputView(output.WrittenSpan);
        Assert.Equal(0x01020304, input.ReadInt32());
        Assert.Equal(300u, input.ReadVarUInt32());
        Assert.Equal(0, input.Remaining);
    }
}
