using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Tests;

/// <summary>The 12-byte header against byte layouts written out from the spec's table (and frames seen from js).</summary>
public sealed class YamuxFrameHeaderTests
{
    public static TheoryData<string, YamuxFrameType, YamuxFlags, uint, uint> SpecFrames => new()
    {
        // js opens a stream with WINDOW_UPDATE|SYN len 0 (the listener used stream 2).
        { "000100010000000200000000", YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 2, 0 },
        // js accepts with WINDOW_UPDATE|ACK len=<consumed>: 36 bytes.
        { "000100020000000100000024", YamuxFrameType.WindowUpdate, YamuxFlags.Ack, 1, 36 },
        // a 70,003-byte DATA frame as js sends them.
        { "000000000000000300011173", YamuxFrameType.Data, YamuxFlags.None, 3, 70003 },
        { "000100040000000100000000", YamuxFrameType.WindowUpdate, YamuxFlags.Fin, 1, 0 },
        { "000100080000000100000000", YamuxFrameType.WindowUpdate, YamuxFlags.Rst, 1, 0 },
        { "000200010000000000000000", YamuxFrameType.Ping, YamuxFlags.Syn, 0, 0 },
        { "0002000200000000deadbeef", YamuxFrameType.Ping, YamuxFlags.Ack, 0, 0xdeadbeef },
        { "000300000000000000000001", YamuxFrameType.GoAway, YamuxFlags.None, 0, 1 },
        { "00000005fffffffffffffffe", YamuxFrameType.Data, YamuxFlags.Syn | YamuxFlags.Fin, uint.MaxValue, uint.MaxValue - 1 },
    };

    [Theory]
    [MemberData(nameof(SpecFrames))]
    public void Reads_and_writes_the_spec_layout(string hex, YamuxFrameType type, YamuxFlags flags, uint streamId, uint length)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Equal(new YamuxFrameHeader(type, flags, streamId, length), YamuxFrameHeader.Read(bytes));
        var written = new byte[YamuxFrameHeader.Size];
        new YamuxFrameHeader(type, flags, streamId, length).Write(written);
        Assert.Equal(hex, Convert.ToHexStringLower(written));
    }

    [Fact]
    public void Unknown_flag_bits_are_kept_for_the_session_to_ignore()
    {
        var header = YamuxFrameHeader.Read(Convert.FromHexString("0001f0f10000000100000000"));
        Assert.Equal((YamuxFlags)0xf0f1, header.Flags);
    }

    [Theory]
    [InlineData("010000000000000100000000", "version 1")]
    [InlineData("ff0000000000000100000000", "version 255")]
    [InlineData("000400000000000100000000", "frame type 4")]
    [InlineData("00ff00000000000100000000", "frame type 255")]
    [InlineData("0000000000000001000000", "got 11")]
    [InlineData("", "got 0")]
    public void Rejects_bad_version_type_and_short_input_with_a_clear_message(string hex, string expected)
    {
        var ex = Assert.Throws<YamuxProtocolException>(() => YamuxFrameHeader.Read(Convert.FromHexString(hex)));
        Assert.Contains(expected, ex.Message);
        Assert.IsAssignableFrom<Libp2pProtocolException>(ex);
    }

    [Fact]
    public void Random_headers_parse_or_fail_typed()
    {
        var random = new Random(1234);
        var bytes = new byte[12];
        var parsed = 0;
        for (var i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            bytes[0] = (byte)(random.Next(4) == 0 ? random.Next(256) : 0);
            bytes[1] = (byte)random.Next(6);
            try
            {
                var header = YamuxFrameHeader.Read(bytes);
                var again = new byte[12];
                header.Write(again);
                Assert.Equal(bytes, again);
                parsed++;
            }
            catch (YamuxProtocolException)
            {
            }
        }

        Assert.InRange(parsed, 500, 1700);
    }
}
