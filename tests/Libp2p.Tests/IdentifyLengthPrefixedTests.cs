using Granary.Libp2p.Identify;

namespace Granary.Libp2p.Tests;

public class IdentifyLengthPrefixedTests
{
    [Theory]
    [InlineData(0, "00")]
    [InlineData(5, "05")]
    [InlineData(127, "7f")]
    [InlineData(128, "8001")]
    [InlineData(300, "ac02")]
    public void FramesWithAMinimalUvarintPrefix(int length, string prefix)
    {
        var framed = LengthPrefixed.Frame(new byte[length]);
        Assert.Equal(prefix, Convert.ToHexStringLower(framed[..(prefix.Length / 2)]));
        Assert.Equal(length + prefix.Length / 2, framed.Length);
    }

    [Fact]
    public async Task ReadsMessagesBackToBackAndNullAtTheEnd()
    {
        using var stream = new MemoryStream([.. LengthPrefixed.Frame("abc"u8), .. LengthPrefixed.Frame([]), .. LengthPrefixed.Frame(new byte[300])]);
        var abc = await LengthPrefixed.ReadAsync(stream, 1000, default);
        Assert.Equal("abc"u8.ToArray(), abc);
        Assert.Empty((await LengthPrefixed.ReadAsync(stream, 1000, default))!);
        Assert.Equal(300, (await LengthPrefixed.ReadAsync(stream, 1000, default))!.Length);
        Assert.Null(await LengthPrefixed.ReadAsync(stream, 1000, default));
    }

    [Theory]
    [InlineData("80", "ended inside a length prefix")]
    [InlineData("0561", "ended inside a 5-byte message")]
    [InlineData("8000", "not minimally encoded")]
    [InlineData("ffffffffff01", "longer than 5 bytes")]
    [InlineData("e907", "exceeds the limit of 1000 bytes")]
    public async Task MalformedOrOversizedInputFailsClearly(string hex, string reason)
    {
        using var stream = new MemoryStream(Convert.FromHexString(hex));
        var error = await Assert.ThrowsAsync<Libp2pProtocolException>(async () => await LengthPrefixed.ReadAsync(stream, 1000, default));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task AnOversizedLengthIsRefusedBeforeItsBodyIsRead()
    {
        using var stream = new MemoryStream([0xe9, 0x07, .. new byte[1001]]);
        await Assert.ThrowsAsync<Libp2pProtocolException>(async () => await LengthPrefixed.ReadAsync(stream, 1000, default));
        Assert.Equal(2, stream.Position);
    }

    [Fact]
    public async Task IdentifyReadsAtMostTenMessagesAndNeedsOne()
    {
        var one = LengthPrefixed.Frame(new IdentifyMessage { AgentVersion = "x" }.Encode());
        using (var ten = new MemoryStream([.. Enumerable.Repeat(one, 10).SelectMany(b => b)]))
        {
            Assert.Equal("x", (await IdentifyProtocol.ReadAsync(ten, 8192, default)).AgentVersion);
        }

        using (var eleven = new MemoryStream([.. Enumerable.Repeat(one, 11).SelectMany(b => b)]))
        {
            await Assert.ThrowsAsync<Libp2pProtocolException>(() => IdentifyProtocol.ReadAsync(eleven, 8192, default));
        }

        using var none = new MemoryStream();
        var error = await Assert.ThrowsAsync<Libp2pProtocolException>(() => IdentifyProtocol.ReadAsync(none, 8192, default));
        Assert.Contains("without an identify message", error.Message);
    }
}
