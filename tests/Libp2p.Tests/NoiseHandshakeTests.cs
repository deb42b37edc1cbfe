using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Granary.Libp2p.Noise;
using Granary.Libp2p.Peers;
using Granary.Libp2p.Tests.Support;

namespace Granary.Libp2p.Tests;

public class NoiseHandshakeTests
{
    private static readonly string[] Yamux = ["/yamux/1.0.0"];
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task HandshakeOverTcpAuthenticatesBothSidesAndCarriesDataBothWays()
    {
        var dialer = Identity.Generate();
        var listener = Identity.Generate();
        var (a, b) = await ConnectedTcpPairAsync();
        using var cts = new CancellationTokenSource(Guard);

        var inbound = NoiseHandshake.SecureInboundAsync(b, listener, Yamux, cts.Token);
        var outbound = await NoiseHandshake.SecureOutboundAsync(a, dialer, listener.PeerId, Yamux, cts.Token);
        var accepted = await inbound;

        Assert.Equal(listener.PeerId, outbound.RemotePeer);
        Assert.Equal(listener.PublicKey, outbound.RemoteKey);
        Assert.Equal(dialer.PeerId, accepted.RemotePeer);
        Assert.Equal(dialer.PublicKey, accepted.RemoteKey);
        Assert.Equal(Yamux, outbound.RemoteMuxers);
        Assert.Equal(Yamux, accepted.RemoteMuxers);
        Assert.Equal("/yamux/1.0.0", outbound.NegotiatedMuxer);
        Assert.Equal("/yamux/1.0.0", accepted.NegotiatedMuxer);

        await using var client = outbound.Stream;
        await using var server = accepted.Stream;
        var big = RandomNumberGenerator.GetBytes(1024 * 1024);
        var small = "hello"u8.ToArray();

        // Both directions at once: 1 MiB each way, plus a 0-byte write that must send nothing.
        var clientWrites = Task.Run(async () =>
        {
            await client.WriteAsync(Array.Empty<byte>(), cts.Token);
            await client.WriteAsync(big, cts.Token);
            await client.WriteAsync(small, cts.Token);
        });
        var serverWrites = Task.Run(async () =>
        {
            await server.WriteAsync(big.Reverse().ToArray(), cts.Token);
            await server.WriteAsync(Array.Empty<byte>(), cts.Token);
            await server.WriteAsync(small, cts.Token);
        });

        var atServer = new byte[big.Length + small.Length];
        var atClient = new byte[big.Length + small.Length];
        await Task.WhenAll(server.ReadExactlyAsync(atServer, cts.Token).AsTask(), client.ReadExactlyAsync(atClient, cts.Token).AsTask(), clientWrites, serverWrites);
        Assert.Equal([.. big, .. small], atServer);
        Assert.Equal([.. big.Reverse(), .. small], atClient);

        // Closing one side is a clean end of stream for the other.
        await client.DisposeAsync();
        Assert.Equal(0, await server.ReadAsync(new byte[16], cts.Token));
    }

    [Theory]
    [InlineData("/yamux/1.0.0", "", null)]
    [InlineData("", "/yamux/1.0.0", null)]
    [InlineData("", "", null)]
    [InlineData("/mplex/6.7.0,/yamux/1.0.0", "/yamux/1.0.0,/mplex/6.7.0", "/mplex/6.7.0")]
    [InlineData("/yamux/1.0.0,/mplex/6.7.0", "/mplex/6.7.0,/yamux/1.0.0", "/yamux/1.0.0")] // the spec's example
    [InlineData("/x/1,/yamux/1.0.0", "/yamux/1.0.0", "/yamux/1.0.0")]
    public async Task InlinedMuxerNegotiationNeedsBothListsAndFollowsTheInitiator(string initiatorMuxers, string responderMuxers, string? expected)
    {
        var initiatorList = Split(initiatorMuxers);
        var responderList = Split(responderMuxers);
        var (outbound, inbound) = await HandshakeAsync(initiatorList, responderList);
        Assert.Equal(expected, outbound.NegotiatedMuxer);
        Assert.Equal(expected, inbound.NegotiatedMuxer);
        Assert.Equal(responderList, outbound.RemoteMuxers);
        Assert.Equal(initiatorList, inbound.RemoteMuxers);
    }

    [Fact]
    public async Task DisjointMuxerListsFailTheHandshakeOnBothSides()
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var inbound = NoiseHandshake.SecureInboundAsync(pair.B, Identity.Generate(), ["/mplex/6.7.0"], cts.Token);
        var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, Yamux, cts.Token));
        Assert.Contains("no common stream muxer", e.Message);
        pair.A.CompleteWrites();
        await Assert.ThrowsAsync<NoiseHandshakeException>(() => inbound);
    }

    [Fact]
    public async Task RejectsAnIdentitySignatureMadeByAnotherKey()
    {
        var claimed = Identity.Generate();
        var signer = Identity.Generate();
        var e = await OutboundAgainstAsync(raw => Payload(claimed.PublicKey, signer, raw.StaticPublicKey));
        Assert.Contains("does not sign the remote Noise static key", e.Message);
    }

    [Fact]
    public async Task RejectsAnIdentitySignatureOverAnotherStaticKey()
    {
        var identity = Identity.Generate();
        var e = await OutboundAgainstAsync(_ => Payload(identity.PublicKey, identity, RandomNumberGenerator.GetBytes(32)));
        Assert.Contains("does not sign", e.Message);
    }

    [Fact]
    public async Task RejectsAPeerOtherThanTheOneDialledBeforeSendingMessageThree()
    {
        var actual = Identity.Generate();
        var expected = Identity.Generate().PeerId;
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var responder = RawResponder.RunAsync(pair.B, raw => Payload(actual.PublicKey, actual, raw.StaticPublicKey), cts.Token);
        var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), expected, [], cts.Token));
        Assert.Contains(actual.PeerId.ToString(), e.Message);
        Assert.Contains(expected.ToString(), e.Message);
        pair.A.CompleteWrites();
        await responder;
        Assert.Equal(2 + 32, pair.A.BytesWritten); // msg1 only: our identity was never revealed
    }

    [Fact]
    public async Task AcceptsTheExpectedPeer()
    {
        var actual = Identity.Generate();
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var inbound = NoiseHandshake.SecureInboundAsync(pair.B, actual, [], cts.Token);
        var session = await NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), actual.PeerId, [], cts.Token);
        await inbound;
        Assert.Equal(actual.PeerId, session.RemotePeer);
        Assert.Null(session.NegotiatedMuxer);
        Assert.Empty(session.RemoteMuxers);
    }

    [Fact]
    public async Task RejectsAPayloadWithoutSignatureOrWithABadKey()
    {
        var missing = await OutboundAgainstAsync(_ => Convert.FromHexString("0a24" + PublicKeyTests.SpecEd25519Public));
        Assert.Contains("lacks identity_sig", missing.Message);

        var badKey = await OutboundAgainstAsync(_ => new NoiseHandshakePayload(Convert.FromHexString("08091200"), new byte[64], []).Encode());
        Assert.Contains("identity_key is not a valid libp2p public key", badKey.Message);

        var garbage = await OutboundAgainstAsync(_ => [0xff, 0xff, 0xff]);
        Assert.Contains("payload is malformed", garbage.Message);
    }

    [Fact]
    public async Task RejectsATruncatedMessageTwo()
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var outbound = NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, [], cts.Token);
        var (raw, msg2) = await RawResponder.BuildMessageTwoAsync(pair.B, Identity.Generate(), cts.Token);
        await pair.B.WriteAsync(Frame(msg2).AsMemory(0, 2 + msg2.Length - 10), cts.Token);
        pair.B.CompleteWrites();
        var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => outbound);
        Assert.Contains("connection closed during the Noise handshake while reading msg2", e.Message);
        raw.Dispose();
    }

    [Fact]
    public async Task RejectsAMessageTwoBelowTheMinimumLength()
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var outbound = NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, [], cts.Token);
        await pair.B.WriteAsync(Frame(new byte[95]), cts.Token);
        var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => outbound);
        Assert.Contains("below the minimum of 96", e.Message);
    }

    [Fact]
    public async Task RejectsAnOversizedMessageOneOnItsLengthAlone()
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        // Only the length prefix arrives: the responder must fail without waiting for 65535 bytes.
        await pair.A.WriteAsync(new byte[] { 0xff, 0xff }, cts.Token);
        var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.SecureInboundAsync(pair.B, Identity.Generate(), [], cts.Token));
        Assert.Contains("msg1 must be exactly 32 bytes", e.Message);
        Assert.Contains("65535", e.Message);
    }

    [Fact]
    public async Task RejectsAMessageOneCarryingAPayload()
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        await pair.A.WriteAsync(Frame(new byte[40]), cts.Token);
        await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.SecureInboundAsync(pair.B, Identity.Generate(), [], cts.Token));
    }

    [Fact]
    public async Task RejectsGarbageMessages()
    {
        var random = new Random(99);
        using (var pair = new DuplexStreamPair())
        using (var cts = new CancellationTokenSource(Guard))
        {
            var outbound = NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, [], cts.Token);
            var garbage = new byte[200];
            random.NextBytes(garbage);
            await pair.B.WriteAsync(Frame(garbage), cts.Token);
            Assert.Contains("failed authentication", (await Assert.ThrowsAsync<NoiseHandshakeException>(() => outbound)).Message);
        }

        using (var pair = new DuplexStreamPair())
        using (var cts = new CancellationTokenSource(Guard))
        {
            var inbound = NoiseHandshake.SecureInboundAsync(pair.B, Identity.Generate(), [], cts.Token);
            var e = new byte[32];
            random.NextBytes(e);
            await pair.A.WriteAsync(Frame(e), cts.Token);
            await ReadFrameAsync(pair.A, cts.Token); // msg2
            var garbage = new byte[150];
            random.NextBytes(garbage);
            await pair.A.WriteAsync(Frame(garbage), cts.Token);
            Assert.Contains("msg3", (await Assert.ThrowsAsync<NoiseHandshakeException>(() => inbound)).Message);
        }
    }

    [Fact]
    public async Task APeerThatClosesAtOnceFailsTheHandshake()
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        pair.B.CompleteWrites();
        var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, [], cts.Token));
        Assert.Contains("connection closed", e.Message);
    }

    [Fact]
    public async Task APrologueMustMatchOnBothSides()
    {
        using (var pair = new DuplexStreamPair())
        using (var cts = new CancellationTokenSource(Guard))
        {
            var inbound = NoiseHandshake.RunAsync(pair.B, false, Identity.Generate(), null, [], "John Galt"u8.ToArray(), cts.Token);
            await NoiseHandshake.RunAsync(pair.A, true, Identity.Generate(), null, [], "John Galt"u8.ToArray(), cts.Token);
            await inbound;
        }

        using (var pair = new DuplexStreamPair())
        using (var cts = new CancellationTokenSource(Guard))
        {
            var inbound = NoiseHandshake.RunAsync(pair.B, false, Identity.Generate(), null, [], "John Galt"u8.ToArray(), cts.Token);
            var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, [], cts.Token));
            Assert.Contains("msg2", e.Message);
            pair.A.CompleteWrites();
            await Assert.ThrowsAsync<NoiseHandshakeException>(() => inbound);
        }
    }

    [Fact]
    public async Task AResetConnectionIsAHandshakeFailure()
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var outbound = NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, [], cts.Token);
        pair.B.CompleteWrites(new IOException("connection reset by peer"));
        var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => outbound);
        Assert.Contains("connection reset by peer", e.Message);
        Assert.IsType<IOException>(e.InnerException);
    }

    [Fact]
    public async Task APeerThatNeverAnswersIsCancellable()
    {
        using var pair = new DuplexStreamPair();
        using var outboundTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, Yamux, outboundTimeout.Token));

        using var other = new DuplexStreamPair();
        using var inboundTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NoiseHandshake.SecureInboundAsync(other.B, Identity.Generate(), Yamux, inboundTimeout.Token));
    }

    [Fact]
    public async Task TransportDataPipelinedRightAfterMessageThreeIsNotLost()
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var dialer = Identity.Generate();
        var inbound = NoiseHandshake.SecureInboundAsync(pair.B, Identity.Generate(), Yamux, cts.Token);

        using var raw = new NoiseXXHandshakeState(true, [], NoiseX25519.GeneratePrivateKey());
        await pair.A.WriteAsync(Frame(raw.WriteMessage([])), cts.Token);
        raw.ReadMessage(await ReadFrameAsync(pair.A, cts.Token));
        var msg3 = raw.WriteMessage(new NoiseHandshakePayload(dialer.PublicKey.ToProtobuf(), dialer.Sign(Signed(raw.StaticPublicKey)), Yamux).Encode());
        var (send, _) = raw.Split();
        var data = "/multistream/1.0.0\n"u8.ToArray();
        var frame = new byte[2 + data.Length + 16];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)(data.Length + 16));
        send.Encrypt([], data, frame.AsSpan(2));
        await pair.A.WriteAsync((byte[])[.. Frame(msg3), .. frame], cts.Token); // one write: msg3 and the first transport frame

        var session = await inbound;
        Assert.Equal(dialer.PeerId, session.RemotePeer);
        var received = new byte[data.Length];
        await session.Stream.ReadExactlyAsync(received, cts.Token);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task RandomMutationsOfMessageTwoGiveOnlyHandshakeExceptions()
    {
        var random = new Random(2002);
        var responderIdentity = Identity.Generate();
        var dialer = Identity.Generate();
        for (var i = 0; i < 1000; i++)
        {
            using var pair = new DuplexStreamPair();
            using var cts = new CancellationTokenSource(Guard);
            var outbound = NoiseHandshake.SecureOutboundAsync(pair.A, dialer, null, [], cts.Token);
            var (raw, msg2) = await RawResponder.BuildMessageTwoAsync(pair.B, responderIdentity, cts.Token);
            using var _ = raw;
            var original = Frame(msg2);
            var mutated = ProtoReaderTests.Mutate(random, original);
            await pair.B.WriteAsync(mutated, cts.Token);
            pair.B.CompleteWrites();
            await AssertOnlyHandshakeFailureAsync(outbound, mutated.AsSpan().StartsWith(original));
        }
    }

    [Fact]
    public async Task RandomMutationsOfMessageThreeGiveOnlyHandshakeExceptions()
    {
        var random = new Random(3003);
        var listener = Identity.Generate();
        var dialer = Identity.Generate();
        for (var i = 0; i < 1000; i++)
        {
            using var pair = new DuplexStreamPair();
            using var cts = new CancellationTokenSource(Guard);
            var inbound = NoiseHandshake.SecureInboundAsync(pair.B, listener, Yamux, cts.Token);
            using var raw = new NoiseXXHandshakeState(true, [], NoiseX25519.GeneratePrivateKey());
            await pair.A.WriteAsync(Frame(raw.WriteMessage([])), cts.Token);
            raw.ReadMessage(await ReadFrameAsync(pair.A, cts.Token));
            var original = Frame(raw.WriteMessage(new NoiseHandshakePayload(dialer.PublicKey.ToProtobuf(), dialer.Sign(Signed(raw.StaticPublicKey)), Yamux).Encode()));
            var mutated = ProtoReaderTests.Mutate(random, original);
            await pair.A.WriteAsync(mutated, cts.Token);
            pair.A.CompleteWrites();
            await AssertOnlyHandshakeFailureAsync(inbound, mutated.AsSpan().StartsWith(original));
        }
    }

    private static async Task AssertOnlyHandshakeFailureAsync(Task<NoiseSession> handshake, bool intact)
    {
        try
        {
            await handshake;
            Assert.True(intact, "a mutated handshake message was accepted");
        }
        catch (NoiseHandshakeException) when (!intact)
        {
        }
    }

    private static async Task<NoiseHandshakeException> OutboundAgainstAsync(Func<NoiseXXHandshakeState, byte[]> payload)
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var responder = RawResponder.RunAsync(pair.B, payload, cts.Token);
        var e = await Assert.ThrowsAsync<NoiseHandshakeException>(() => NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, [], cts.Token));
        pair.A.CompleteWrites(); // what the host does with a failed connection
        await responder;
        return e;
    }

    private static async Task<(NoiseSession Outbound, NoiseSession Inbound)> HandshakeAsync(string[] initiatorMuxers, string[] responderMuxers)
    {
        using var pair = new DuplexStreamPair();
        using var cts = new CancellationTokenSource(Guard);
        var inbound = NoiseHandshake.SecureInboundAsync(pair.B, Identity.Generate(), responderMuxers, cts.Token);
        var outbound = await NoiseHandshake.SecureOutboundAsync(pair.A, Identity.Generate(), null, initiatorMuxers, cts.Token);
        return (outbound, await inbound);
    }

    private static string[] Split(string list) => list.Length == 0 ? [] : list.Split(',');

    private static byte[] Signed(byte[] staticPublicKey) => [.. Encoding.ASCII.GetBytes(NoiseHandshake.SignaturePrefix), .. staticPublicKey];

    private static byte[] Payload(PublicKey claimed, Identity signer, byte[] signedStaticKey) =>
        new NoiseHandshakePayload(claimed.ToProtobuf(), signer.Sign(Signed(signedStaticKey)), []).Encode();

    internal static byte[] Frame(byte[] message)
    {
        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        return frame;
    }

    private static async Task<byte[]> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return body;
    }

    internal static async Task<(NetworkStream A, NetworkStream B)> ConnectedTcpPairAsync()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var client = new TcpClient { NoDelay = true };
        var accept = server.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port);
        var accepted = await accept;
        accepted.NoDelay = true;
        return (client.GetStream(), accepted.GetStream());
    }

    /// <summary>A hand-driven Noise responder whose msg2 payload the test chooses.</summary>
    private static class RawResponder
    {
        public static async Task RunAsync(Stream stream, Func<NoiseXXHandshakeState, byte[]> payload, CancellationToken cancellationToken)
        {
            using var state = new NoiseXXHandshakeState(false, [], NoiseX25519.GeneratePrivateKey());
            state.ReadMessage(await ReadFrameAsync(stream, cancellationToken));
            await stream.WriteAsync(Frame(state.WriteMessage(payload(state))), cancellationToken);

            // After a failed check the initiator must close without sending msg3.
            Assert.Equal(0, await stream.ReadAsync(new byte[1], cancellationToken));
        }

        public static async Task<(NoiseXXHandshakeState State, byte[] Message)> BuildMessageTwoAsync(Stream stream, Identity identity, CancellationToken cancellationToken)
        {
            var state = new NoiseXXHandshakeState(false, [], NoiseX25519.GeneratePrivateKey());
            state.ReadMessage(await ReadFrameAsync(stream, cancellationToken));
            return (state, state.WriteMessage(Payload(identity.PublicKey, identity, state.StaticPublicKey)));
        }
    }
}
