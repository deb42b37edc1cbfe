using Granary.Libp2p.Protobuf;

namespace Granary.Libp2p.Tests;

public class ProtoReaderTests
{
    // The examples of the protobuf encoding guide: field 1 = 150, field 2 = "testing", field 3 = {1: 150}.
    private static readonly byte[] GuideExample = Convert.FromHexString("089601" + "120774657374696e67" + "1a03089601");

    [Fact]
    public void ReadsTheEncodingGuideExample()
    {
        var reader = new ProtoReader(GuideExample);
        Assert.True(reader.TryReadField(out var field, out var wire));
        Assert.Equal((1, ProtoWireType.Varint), (field, wire));
        Assert.Equal(150UL, reader.ReadVarint());
        Assert.True(reader.TryReadField(out field, out wire));
        Assert.Equal((2, ProtoWireType.LengthDelimited), (field, wire));
        Assert.Equal("testing", reader.ReadString());
        Assert.True(reader.TryReadField(out field, out _));
        Assert.Equal(3, field);
        var inner = new ProtoReader(reader.ReadBytes());
        Assert.True(inner.TryReadField(out field, out _));
        Assert.Equal(1, field);
        Assert.Equal(150, inner.ReadInt32());
        Assert.False(inner.TryReadField(out _, out _));
        Assert.False(reader.TryReadField(out _, out _));
    }

    [Fact]
    public void SkipsUnknownFieldsOfEveryAllowedWireType()
    {
        // 1: varint, 2: fixed64, 3: bytes, 4: fixed32, then field 5 = 7 which we keep.
        var message = Convert.FromHexString("08ac02" + "110102030405060708" + "1a03616263" + "250a0b0c0d" + "2807");
        var reader = new ProtoReader(message);
        var seen = new List<int>();
        ulong kept = 0;
        while (reader.TryReadField(out var field, out _))
        {
            seen.Add(field);
            if (field == 5)
            {
                kept = reader.ReadVarint();
            }
            else
            {
                reader.SkipField();
            }
        }

        Assert.Equal([1, 2, 3, 4, 5], seen);
        Assert.Equal(7UL, kept);
    }

    [Fact]
    public void ReadsFixedWidthFieldsLittleEndian()
    {
        var reader = new ProtoReader(Convert.FromHexString("090102030405060708" + "150a0b0c0d"));
        reader.TryReadField(out _, out _);
        Assert.Equal(0x0807060504030201UL, reader.ReadFixed64());
        reader.TryReadField(out _, out _);
        Assert.Equal(0x0d0c0b0aU, reader.ReadFixed32());
    }

    [Fact]
    public void AnUnreadValueIsSkippedByTheNextTryReadField()
    {
        var reader = new ProtoReader(GuideExample);
        reader.TryReadField(out _, out _);
        reader.TryReadField(out var field, out _);
        Assert.Equal(2, field);
        reader.TryReadField(out field, out _);
        Assert.Equal(3, field);
    }

    [Fact]
    public void AcceptsTenByteAndNonMinimalVarints()
    {
        var reader = new ProtoReader(Convert.FromHexString("08ffffffffffffffffff01" + "108000"));
        reader.TryReadField(out _, out _);
        Assert.Equal(ulong.MaxValue, reader.ReadVarint());
        reader.TryReadField(out _, out _);
        Assert.Equal(0UL, reader.ReadVarint());
    }

    [Theory]
    [InlineData("0b", "groups")] // field 1, wire type 3
    [InlineData("0c", "groups")] // field 1, wire type 4
    [InlineData("0e", "invalid wire type 6")]
    [InlineData("0f", "invalid wire type 7")]
    [InlineData("0001", "field number 0")]
    [InlineData("08", "truncated")] // key without value
    [InlineData("0880", "truncated")] // varint continuation then end
    [InlineData("0a05616263", "runs past the end")]
    [InlineData("0aff", "truncated")] // length varint truncated
    [InlineData("0901020304", "fixed64 is truncated")]
    [InlineData("0d0102", "fixed32 is truncated")]
    [InlineData("08ffffffffffffffffff02", "overflows 64 bits")]
    [InlineData("08ffffffffffffffffffff01", "overflows 64 bits")]
    [InlineData("f8ffffffffffffffff0101", "out of range")] // field number 2^61-1
    public void RejectsMalformedInputWithAReason(string hex, string reason)
    {
        var e = Assert.Throws<Libp2pProtocolException>(() => ReadAll(Convert.FromHexString(hex)));
        Assert.Contains(reason, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void RejectsAMessageOverTheSizeLimit()
    {
        var e = Assert.Throws<Libp2pProtocolException>(() => new ProtoReader(new byte[101], maxMessageSize: 100));
        Assert.Contains("exceeds the limit of 100", e.Message);
        _ = new ProtoReader(new byte[100], maxMessageSize: 100);
    }

    [Fact]
    public void RejectsAValueReadWithTheWrongWireType()
    {
        var e = Assert.Throws<Libp2pProtocolException>(() =>
        {
            var reader = new ProtoReader(GuideExample);
            reader.TryReadField(out _, out _);
            reader.ReadBytes();
        });
        Assert.Contains("expected LengthDelimited", e.Message);
    }

    [Fact]
    public void RejectsInvalidUtf8AndOverlongStrings()
    {
        var bad = Assert.Throws<Libp2pProtocolException>(() =>
        {
            var reader = new ProtoReader(Convert.FromHexString("0a02c328"));
            reader.TryReadField(out _, out _);
            reader.ReadString();
        });
        Assert.Contains("UTF-8", bad.Message);

        var longer = Assert.Throws<Libp2pProtocolException>(() =>
        {
            var reader = new ProtoReader(Convert.FromHexString("0a03616263"));
            reader.TryReadField(out _, out _);
            reader.ReadString(maxBytes: 2);
        });
        Assert.Contains("exceeds the limit of 2", longer.Message);
    }

    [Fact]
    public void Int32RejectsValuesOutsideItsRange()
    {
        var e = Assert.Throws<Libp2pProtocolException>(() =>
        {
            var reader = new ProtoReader(Convert.FromHexString("088080808008")); // 2^31
            reader.TryReadField(out _, out _);
            reader.ReadInt32();
        });
        Assert.Contains("int32", e.Message);
    }

    [Fact]
    public void RandomMutationsGiveOnlyProtocolExceptionsOrValidReads()
    {
        var random = new Random(20261123);
        var original = Convert.FromHexString("089601" + "120774657374696e67" + "1a03089601" + "110102030405060708" + "250a0b0c0d");
        for (var i = 0; i < 2000; i++)
        {
            var mutated = Mutate(random, original);
            try
            {
                ReadAll(mutated);
            }
            catch (Libp2pProtocolException)
            {
            }
        }
    }

    internal static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(4))
            {
                case 0 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveRange(random.Next(bytes.Count), 1);
                    break;
                case 2:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                default:
                    var keep = random.Next(bytes.Count + 1);
                    bytes.RemoveRange(keep, bytes.Count - keep);

                    break;
            }
        }

        return [.. bytes];
    }

    // Reads every field generically, recursing into length-delimited values that parse as messages.
    private static void ReadAll(ReadOnlySpan<byte> message)
    {
        var reader = new ProtoReader(message);
        while (reader.TryReadField(out _, out var wire))
        {
            switch (wire)
            {
                case ProtoWireType.Varint:
                    reader.ReadVarint();
                    break;
                case ProtoWireType.LengthDelimited:
                    var value = reader.ReadBytes();
                    try
                    {
                        ReadAll(value);
                    }
                    catch (Libp2pProtocolException)
                    {
                        // Not every bytes field is a message.
                    }

                    break;
                default:
                    reader.SkipField();
                    break;
            }
        }
    }
}
