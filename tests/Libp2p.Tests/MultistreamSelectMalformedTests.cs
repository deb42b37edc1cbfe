using Granary.Libp2p.Multistream;
using Granary.Libp2p.Tests.Support;
using static Granary.Libp2p.Tests.MultistreamSelectTests;

namespace Granary.Libp2p.Tests;

public sealed class MultistreamSelectMalformedTests
{
    [Fact]
    public async Task Garbage_instead_of_the_header_is_quoted_in_the_error()
    {
        // 'G' = 0x47 reads as a 71-byte length; the request is shorter, so the stream ends inside it.
        var e = await RespondTo("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"u8.ToArray());
        Assert.Equal(
            "multistream: expected /multistream/1.0.0, got 'GET / HTTP/1.1\\r\\nHost: example.com\\r\\n\\r\\n' (the stream ended after 36 of 71 message bytes)",
            e.Message);
    }

    [Fact]
    public async Task A_well_framed_message_that_is_not_the_header()
    {
        var e = await RespondTo([0x13, .. "/multistream/2.0.0\n"u8]);
        Assert.Equal("multistream: expected /multistream/1.0.0, got '\\x13/multistream/2.0.0\\n'", e.Message);

        e = await RespondTo([.. NoiseProposal, .. Header]);
        Assert.Equal("multistream: expected /multistream/1.0.0, got '\\x07/noise\\n'", e.Message);
    }

    [Fact]
    public async Task Nothing_at_all()
    {
        var e = await RespondTo([]);
        Assert.Equal("multistream: expected /multistream/1.0.0, got nothing (the stream ended)", e.Message);
    }

    [Fact]
    public async Task Binary_garbage_is_escaped_and_excerpted()
    {
        // A TLS ClientHello: 0x16 reads as a 22-byte message that does not end in a newline.
        byte[] hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. Enumerable.Range(0, 100).Select(i => (byte)i)];
        var e = await RespondTo(hello);
        Assert.StartsWith("multistream: expected /multistream/1.0.0, got '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03\\x00", e.Message);
        Assert.EndsWith("(a message that does not end with a newline)", e.Message);
    }

    [Theory]
    [InlineData("8208", "a message of 1026 bytes, longer than the limit of 1025")]
    [InlineData("ff7f", "a message of 16383 bytes, longer than the limit of 1025")]
    [InlineData("808001", "the length prefix is longer than 2 bytes")]
    [InlineData("ffff7f", "the length prefix is longer than 2 bytes")]
    [InlineData("8300", "the length prefix is not minimally encoded")]
    [InlineData("00", "an empty message (no newline)")]
    [InlineData("072f6e6f69", "the stream ended after 4 of 7 message bytes")]
    [InlineData("81", "the stream ended inside the length prefix")]
    [InlineData("", "the stream ended")]
    [InlineData("03616263", "a message that does not end with a newline")]
    [InlineData("03fffe0a", "the message '\\x03\\xff\\xfe\\n' is not valid UTF-8")]
    [InlineData("03c00a0a", "is not valid UTF-8")]
    public async Task Malformed_proposals(string hex, string problem)
    {
        var e = await RespondTo([.. Header, .. Convert.FromHexString(hex)]);
        Assert.StartsWith("multistream: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public async Task An_over_long_prefix_is_refused_without_reading_the_message()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        // A length of 1026 and nothing else: the responder must fail on the prefix, not wait for 1026 bytes.
        await pair.A.WriteAsync((byte[])[.. Header, 0x82, 0x08], timeout.Token);
        var e = await Assert.ThrowsAnyAsync<Libp2pProtocolException>(() => MultistreamSelect.HandleAsync(pair.B, ["/noise"], timeout.Token));
        Assert.Contains("longer than the limit of 1025", e.Message);
        Assert.Equal(Header.Length + 2, pair.B.BytesRead);
    }

    [Fact]
    public async Task Initiator_requires_the_header_first()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        await pair.B.WriteAsync((byte[])[.. NoiseProposal, .. Header], timeout.Token);
        var e = await Assert.ThrowsAnyAsync<Libp2pProtocolException>(() => MultistreamSelect.SelectOneAsync(pair.A, "/noise", timeout.Token));
        Assert.Equal("multistream: expected /multistream/1.0.0, got '\\x07/noise\\n'", e.Message);
    }

    [Theory]
    [InlineData("8208")]
    [InlineData("808001")]
    [InlineData("036e61")]
    [InlineData("03ffff0a")] // not UTF-8, and not the proposal nor na either
    public async Task Initiator_rejects_malformed_answers(string hex)
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        await pair.B.WriteAsync((byte[])[.. Header, .. Convert.FromHexString(hex)], timeout.Token);
        pair.B.CompleteWrites();
        await Assert.ThrowsAnyAsync<Libp2pProtocolException>(() => MultistreamSelect.SelectOneAsync(pair.A, "/noise", timeout.Token));
    }

    private static async Task<Libp2pProtocolException> RespondTo(byte[] input)
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        await pair.A.WriteAsync(input, timeout.Token);
        pair.A.CompleteWrites();
        return await Assert.ThrowsAnyAsync<Libp2pProtocolException>(() => MultistreamSelect.HandleAsync(pair.B, ["/noise"], timeout.Token));
    }
}
