using System.Text;
using Granary.Libp2p.Multistream;
using Granary.Libp2p.Tests.Support;

namespace Granary.Libp2p.Tests;

public sealed class MultistreamSelectTests
{
    // Wire bytes from reference/libp2p.md §1.2 (checked there against js-libp2p 3.3.11).
    internal static readonly byte[] Header = Convert.FromHexString("132f6d756c746973747265616d2f312e302e300a");
    internal static readonly byte[] Na = Convert.FromHexString("036e610a");
    internal static readonly byte[] Ls = Convert.FromHexString("036c730a");
    internal static readonly byte[] NoiseProposal = Convert.FromHexString("072f6e6f6973650a");

    [Fact]
    public void Header_and_na_are_the_reference_bytes()
    {
        Assert.Equal(Header, [0x13, .. "/multistream/1.0.0\n"u8]);
        Assert.Equal(Na, "\u0003na\n"u8.ToArray());
        Assert.Equal(19, Header[0]);
    }

    [Fact]
    public async Task Initiator_sends_header_and_first_proposal_in_one_write()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        var recorder = new WriteRecordingStream(pair.A);
        var select = MultistreamSelect.SelectOneAsync(recorder, "/noise", timeout.Token);

        Assert.Equal((byte[])[.. Header, .. NoiseProposal], await ReadExactlyAsync(pair.B, Header.Length + NoiseProposal.Length, timeout.Token));
        Assert.Equal([[.. Header, .. NoiseProposal]], recorder.Writes);

        await pair.B.WriteAsync((byte[])[.. Header, .. NoiseProposal], timeout.Token);
        Assert.Equal("/noise", await select);
        Assert.Single(recorder.Writes);
    }

    [Fact]
    public async Task Responder_sends_its_header_before_reading_the_peers()
    {
        // An initiator that waits for the header before proposing (Nethermind does) must not deadlock.
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        var handle = MultistreamSelect.HandleAsync(pair.B, ["/noise"], timeout.Token);

        Assert.Equal(Header, await ReadExactlyAsync(pair.A, Header.Length, timeout.Token));
        await pair.A.WriteAsync(Header, timeout.Token);
        await pair.A.WriteAsync(NoiseProposal, timeout.Token);
        Assert.Equal(NoiseProposal, await ReadExactlyAsync(pair.A, NoiseProposal.Length, timeout.Token));
        Assert.Equal("/noise", await handle);
    }

    [Fact]
    public async Task Both_sides_agree_after_an_na()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        var responderWrites = new WriteRecordingStream(pair.B);
        var handle = MultistreamSelect.HandleAsync(responderWrites, ["/yamux/1.0.0"], timeout.Token);
        var select = MultistreamSelect.SelectAsync(pair.A, ["/mplex/6.7.0", "/yamux/1.0.0"], timeout.Token);

        Assert.Equal("/yamux/1.0.0", await select);
        Assert.Equal("/yamux/1.0.0", await handle);
        Assert.Equal([.. Header, .. Na, .. Frame("/yamux/1.0.0")], responderWrites.Writes.SelectMany(w => w).ToArray());
        Assert.Equal(Header.Length + Frame("/mplex/6.7.0").Length + Frame("/yamux/1.0.0").Length, pair.A.BytesWritten);
    }

    [Fact]
    public async Task Ls_reply_is_one_message_of_framed_ids_and_a_newline()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        var handle = MultistreamSelect.HandleAsync(pair.B, ["/noise"], timeout.Token);
        await pair.A.WriteAsync((byte[])[.. Header, .. Ls], timeout.Token);

        var reply = await ReadExactlyAsync(pair.A, Header.Length + 10, timeout.Token);
        Assert.Equal("09072f6e6f6973650a0a", Convert.ToHexStringLower(reply.AsSpan(Header.Length)));

        // The responder keeps negotiating after ls.
        await pair.A.WriteAsync(NoiseProposal, timeout.Token);
        Assert.Equal(NoiseProposal, await ReadExactlyAsync(pair.A, NoiseProposal.Length, timeout.Token));
        Assert.Equal("/noise", await handle);
    }

    [Fact]
    public async Task Ls_reply_with_two_protocols()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        _ = MultistreamSelect.HandleAsync(pair.B, ["/noise", "/yamux/1.0.0"], timeout.Token);
        await pair.A.WriteAsync((byte[])[.. Header, .. Ls], timeout.Token);

        // 23 = 8 ("\x07/noise\n") + 14 ("\x0d/yamux/1.0.0\n") + 1 ("\n").
        var expected = "17" + "072f6e6f6973650a" + "0d2f79616d75782f312e302e300a" + "0a";
        var reply = await ReadExactlyAsync(pair.A, Header.Length + (expected.Length / 2), timeout.Token);
        Assert.Equal(expected, Convert.ToHexStringLower(reply.AsSpan(Header.Length)));
        pair.A.CompleteWrites();
    }

    [Fact]
    public async Task Data_pipelined_after_the_proposal_stays_in_the_stream_for_the_responder()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        await pair.A.WriteAsync((byte[])[.. Header, .. Frame("/echo/1.0.0"), .. "hello world"u8], timeout.Token);
        pair.A.CompleteWrites();

        Assert.Equal("/echo/1.0.0", await MultistreamSelect.HandleAsync(pair.B, ["/echo/1.0.0"], timeout.Token));
        Assert.Equal("hello world"u8.ToArray(), await ReadToEndAsync(pair.B, timeout.Token));
    }

    [Fact]
    public async Task Data_pipelined_after_the_echo_stays_in_the_stream_for_the_initiator()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        await pair.B.WriteAsync((byte[])[.. Header, .. Na, .. Frame("/b"), 0x00, 0x13, 0x0a], timeout.Token);
        pair.B.CompleteWrites();

        Assert.Equal("/b", await MultistreamSelect.SelectAsync(pair.A, ["/a", "/b"], timeout.Token));
        Assert.Equal((byte[])[0x00, 0x13, 0x0a], await ReadToEndAsync(pair.A, timeout.Token));
    }

    [Fact]
    public async Task Initiator_reports_when_every_proposal_is_refused()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        var handle = MultistreamSelect.HandleAsync(pair.B, _ => false, () => [], timeout.Token);

        var e = await Assert.ThrowsAsync<ProtocolNotSupportedException>(
            () => MultistreamSelect.SelectAsync(pair.A, ["/a/1", "/b/2"], timeout.Token));
        Assert.Equal(["/a/1", "/b/2"], e.Protocols);
        Assert.Contains("/a/1, /b/2", e.Message);

        pair.A.CompleteWrites();
        var ended = await Assert.ThrowsAnyAsync<Libp2pProtocolException>(() => handle);
        Assert.Contains("the stream ended", ended.Message);
    }

    [Fact]
    public async Task Initiator_rejects_an_answer_that_is_neither_echo_nor_na()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        await pair.B.WriteAsync((byte[])[.. Header, .. Frame("/other")], timeout.Token);

        var e = await Assert.ThrowsAnyAsync<Libp2pProtocolException>(() => MultistreamSelect.SelectOneAsync(pair.A, "/noise", timeout.Token));
        Assert.Equal("multistream: proposed '/noise', expected it echoed or 'na', got '\\x07/other\\n'", e.Message);
    }

    [Fact]
    public async Task A_1024_byte_id_is_accepted_with_a_two_byte_prefix()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        var id = "/" + new string('x', 1023);
        var handle = MultistreamSelect.HandleAsync(pair.B, [id], timeout.Token);
        var recorder = new WriteRecordingStream(pair.A);
        Assert.Equal(id, await MultistreamSelect.SelectOneAsync(recorder, id, timeout.Token));
        Assert.Equal(id, await handle);
        Assert.Equal([0x81, 0x08], recorder.Writes[0].AsSpan(Header.Length, 2).ToArray()); // 1025 = 0x401
    }

    [Fact]
    public async Task Responder_gives_up_after_64_rounds_without_agreement()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        var input = new List<byte>(Header);
        for (var i = 0; i < 60; i++)
        {
            input.AddRange(Frame($"/unknown/{i}"));
        }

        for (var i = 0; i < 5; i++)
        {
            input.AddRange(Ls);
        }

        await pair.A.WriteAsync(input.ToArray(), timeout.Token);
        var e = await Assert.ThrowsAnyAsync<Libp2pProtocolException>(() => MultistreamSelect.HandleAsync(pair.B, ["/y"], timeout.Token));
        Assert.Contains("no agreement after 64 rounds", e.Message);

        // 60 na and 4 ls replies (each "\x05\x03/y\n\n"), then nothing more.
        pair.B.CompleteWrites();
        byte[] expected = [.. Header, .. Enumerable.Repeat(Na, 60).SelectMany(x => x), .. Enumerable.Repeat<byte[]>([0x05, 0x03, .. "/y\n\n"u8], 4).SelectMany(x => x)];
        Assert.Equal(expected, await ReadToEndAsync(pair.A, timeout.Token));
    }

    [Fact]
    public async Task Responder_still_accepts_on_the_last_allowed_round()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        var input = new List<byte>(Header);
        for (var i = 0; i < MultistreamSelect.MaxNegotiationRounds; i++)
        {
            input.AddRange(Frame($"/unknown/{i}"));
        }

        input.AddRange(Frame("/y"));
        await pair.A.WriteAsync(input.ToArray(), timeout.Token);
        Assert.Equal("/y", await MultistreamSelect.HandleAsync(pair.B, ["/y"], timeout.Token));
    }

    [Fact]
    public async Task Responder_honours_cancellation_while_waiting()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        using var cancel = new CancellationTokenSource();
        var handle = MultistreamSelect.HandleAsync(pair.B, ["/noise"], cancel.Token);
        await ReadExactlyAsync(pair.A, Header.Length, timeout.Token); // it is now blocked reading our header
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handle);
    }

    [Fact]
    public async Task Initiator_honours_cancellation_while_waiting()
    {
        using var timeout = Timeout();
        using var pair = new DuplexStreamPair();
        using var cancel = new CancellationTokenSource();
        var select = MultistreamSelect.SelectOneAsync(pair.A, "/noise", cancel.Token);
        await ReadExactlyAsync(pair.B, Header.Length + NoiseProposal.Length, timeout.Token);
        await pair.B.WriteAsync(Header, timeout.Token); // header arrives, the answer never does
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => select);
    }

    [Fact]
    public async Task Already_cancelled_token_fails_fast()
    {
        using var pair = new DuplexStreamPair();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => MultistreamSelect.SelectOneAsync(pair.A, "/noise", new CancellationToken(canceled: true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => MultistreamSelect.HandleAsync(pair.B, ["/noise"], new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task Invalid_protocol_ids_are_refused_before_anything_is_sent()
    {
        // A lone surrogate is built at run time: xunit cannot serialize one as theory data.
        foreach (var id in new[] { "", "/a\nb", "/" + (char)0xD800 })
        {
            using var pair = new DuplexStreamPair();
            await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.SelectOneAsync(pair.A, id));
            Assert.Equal(0, pair.A.BytesWritten);
        }
    }

    [Fact]
    public async Task Over_long_ids_and_empty_lists_are_refused()
    {
        using var pair = new DuplexStreamPair();
        await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.SelectOneAsync(pair.A, "/" + new string('é', 512)));
        await Assert.ThrowsAsync<ArgumentException>(() => MultistreamSelect.SelectAsync(pair.A, []));
        Assert.Equal(0, pair.A.BytesWritten);
    }

    internal static byte[] Frame(string text)
    {
        var body = Encoding.UTF8.GetBytes(text + "\n");
        Assert.True(body.Length < 0x80, "test frames use a one-byte prefix");
        return [(byte)body.Length, .. body];
    }

    internal static CancellationTokenSource Timeout() => new(TimeSpan.FromSeconds(20));

    internal static async Task<byte[]> ReadExactlyAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    internal static async Task<byte[]> ReadToEndAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    /// <summary>Passes through to a stream and records each write call, to check what goes out in one write.</summary>
    private sealed class WriteRecordingStream(Stream inner) : Stream
    {
        public List<byte[]> Writes { get; } = [];

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
