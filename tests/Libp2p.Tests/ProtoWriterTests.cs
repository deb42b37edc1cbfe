using Granary.Libp2p.Protobuf;

namespace Granary.Libp2p.Tests;

public class ProtoWriterTests
{
    [Fact]
    public void WritesTheEncodingGuideExample()
    {
        var inner = new ProtoWriter();
        inner.WriteVarint(1, 150);
        var writer = new ProtoWriter();
        writer.WriteVarint(1, 150);
        writer.WriteString(2, "testing");
        writer.WriteMessage(3, inner);
        Assert.Equal("089601120774657374696e671a03089601", Convert.ToHexStringLower(writer.ToArray()));
        Assert.Equal(17, writer.Length);
    }

    [Fact]
    public void WritesMinimalVarintsAndLargeFieldNumbers()
    {
        var writer = new ProtoWriter();
        writer.WriteVarint(1, 0);
        writer.WriteVarint(16, ulong.MaxValue);
        writer.WriteBytes(ProtoReader.MaxFieldNumber, []);
        Assert.Equal("0800" + "8001ffffffffffffffffff01" + "faffffff0f00", Convert.ToHexStringLower(writer.ToArray()));
    }

    [Fact]
    public void RoundTripsLongBytesAndUnicodeStrings()
    {
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var writer = new ProtoWriter(4);
        writer.WriteBytes(7, payload);
        writer.WriteString(8, "/yamux/1.0.0 ✓");
        var reader = new ProtoReader(writer.ToArray());
        Assert.True(reader.TryReadField(out var field, out _));
        Assert.Equal(7, field);
        Assert.Equal(payload, reader.ReadBytes().ToArray());
        Assert.True(reader.TryReadField(out field, out _));
        Assert.Equal(8, field);
        Assert.Equal("/yamux/1.0.0 ✓", reader.ReadString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1 << 29)]
    public void RejectsInvalidFieldNumbers(int field)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtoWriter().WriteVarint(field, 1));
    }
}
