using System.Buffers.Binary;
using System.Text;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Noise;

/// <summary>
/// The libp2p Noise secure channel (<c>/noise</c>): Noise_XX_25519_ChaChaPoly_SHA256 with an empty prologue, a fresh
/// X25519 static key per connection, and the libp2p handshake payload binding that key to the peer's identity.
/// Handshake messages are framed as u16 big-endian length ‖ message. msg1 is the bare 32-byte ephemeral key; msg2
/// carries the responder's payload, msg3 the initiator's.
/// </summary>
/// <remarks>
/// <para><b>Inlined muxer negotiation.</b> A non-empty <c>localMuxers</c> list is sent as <c>stream_muxers</c>. The
/// remote's list is exposed as <see cref="NoiseSession.RemoteMuxers"/>. When both lists are non-empty the handshake
/// picks <see cref="NoiseSession.NegotiatedMuxer"/> (first of the initiator's list the responder supports; no overlap
/// fails the handshake, as the spec requires), and the host skips the multistream muxer negotiation exactly then.
/// Pass an empty list to always negotiate the muxer with multistream-select.</para>
/// <para><b>Failures.</b> Any protocol failure throws <see cref="NoiseHandshakeException"/> with the reason; the
/// connection closing or failing (an <see cref="IOException"/>) mid-handshake is one too. Cancellation throws <see cref="OperationCanceledException"/>; the
/// host wraps its handshake timeout into the token. On failure the inner stream is left to the caller to close.</para>
/// <para>The handshake reads exactly the bytes of its three messages, so transport data the remote pipelines right
/// after msg3 stays in the inner stream for <see cref="NoiseSession.Stream"/>.</para>
/// </remarks>
public static class NoiseHandshake
{
    /// <summary>The multistream-select protocol id.</summary>
    public const string ProtocolId = "/noise";

    /// <summary>What the identity key signs, followed by the 32-byte Noise static public key.</summary>
    public const string SignaturePrefix = "noise-libp2p-static-key:";

    /// <summary>Largest handshake message (the u16 length limit).</summary>
    public const int MaxHandshakeMessage = ushort.MaxValue;

    /// <summary>Secures an outbound (dialled) connection as the Noise initiator.</summary>
    /// <param name="inner">The raw connection, after multistream-select agreed on <see cref="ProtocolId"/>.</param>
    /// <param name="local">Our identity; its key signs our static Noise key.</param>
    /// <param name="expectedRemote">The peer id we dialled (the <c>/p2p/</c> component), or null to accept anyone.
    /// Checked before we reveal our own identity in msg3.</param>
    /// <param name="localMuxers">Muxers to announce in order of preference (empty: no inlined negotiation).</param>
    /// <param name="cancellationToken">Cancels the handshake (e.g. a timeout).</param>
    /// <exception cref="NoiseHandshakeException">The handshake failed; the message says why.</exception>
    public static Task<NoiseSession> SecureOutboundAsync(Stream inner, Identity local, PeerId? expectedRemote, IReadOnlyList<string> localMuxers, CancellationToken cancellationToken) =>
        RunAsync(inner, initiator: true, local, expectedRemote, localMuxers, prologue: default, cancellationToken);

    /// <summary>Secures an inbound (accepted) connection as the Noise responder.</summary>
    /// <param name="inner">The raw connection, after multistream-select agreed on <see cref="ProtocolId"/>.</param>
    /// <param name="local">Our identity; its key signs our static Noise key.</param>
    /// <param name="localMuxers">Muxers to announce in order of preference (empty: no inlined negotiation).</param>
    /// <param name="cancellationToken">Cancels the handshake (e.g. a timeout).</param>
    /// <exception cref="NoiseHandshakeException">The handshake failed; the message says why.</exception>
    public static Task<NoiseSession> SecureInboundAsync(Stream inner, Identity local, IReadOnlyList<string> localMuxers, CancellationToken cancellationToken) =>
        RunAsync(inner, initiator: false, local, expectedRemote: null, localMuxers, prologue: default, cancellationToken);

    /// <summary>Either side of the handshake; the prologue is only non-empty in tests.</summary>
    internal static async Task<NoiseSession> RunAsync(
        Stream inner,
        bool initiator,
        Identity local,
        PeerId? expectedRemote,
        IReadOnlyList<string> localMuxers,
        ReadOnlyMemory<byte> prologue,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(local);
        ValidateLocalMuxers(localMuxers);
        cancellationToken.ThrowIfCancellationRequested();

        using var state = new NoiseXXHandshakeState(initiator, prologue.Span, NoiseX25519.GeneratePrivateKey());
        var localPayload = new NoiseHandshakePayload(
            local.PublicKey.ToProtobuf(),
            local.Sign(SignedData(state.StaticPublicKey)),
            [.. localMuxers]).Encode();

        if (initiator)
        {
            await WriteMessageAsync(inner, state.WriteMessage([]), cancellationToken).ConfigureAwait(false);
            var (remote, remoteKey) = Authenticate(state, await ReadMessageAsync(inner, state, 2, cancellationToken).ConfigureAwait(false), 2, expectedRemote);
            var muxer = Negotiate(localMuxers, remote.StreamMuxers);
            await WriteMessageAsync(inner, state.WriteMessage(localPayload), cancellationToken).ConfigureAwait(false);
            return Complete(inner, state, remote, remoteKey, muxer);
        }
        else
        {
            // msg1 carries no payload in libp2p; ReadMessageAsync holds it to exactly 32 bytes.
            await ReadMessageAsync(inner, state, 1, cancellationToken).ConfigureAwait(false);
            await WriteMessageAsync(inner, state.WriteMessage(localPayload), cancellationToken).ConfigureAwait(false);
            var (remote, remoteKey) = Authenticate(state, await ReadMessageAsync(inner, state, 3, cancellationToken).ConfigureAwait(false), 3, expectedRemote: null);
            return Complete(inner, state, remote, remoteKey, Negotiate(remote.StreamMuxers, localMuxers));
        }
    }

    private static NoiseSession Complete(Stream inner, NoiseXXHandshakeState state, NoiseHandshakePayload remote, PublicKey remoteKey, string? muxer)
    {
        var (send, receive) = state.Split();
        return new NoiseSession(new NoiseTransportStream(inner, send, receive), remoteKey, remote.StreamMuxers, muxer);
    }

    private static byte[] SignedData(ReadOnlySpan<byte> staticPublicKey) => [.. Encoding.ASCII.GetBytes(SignaturePrefix), .. staticPublicKey];

    // Checks the remote payload: a valid key, its signature over the remote static key, and the expected peer id.
    private static (NoiseHandshakePayload Payload, PublicKey Key) Authenticate(NoiseXXHandshakeState state, byte[] plaintext, int message, PeerId? expectedRemote)
    {
        var payload = NoiseHandshakePayload.Decode(plaintext);
        PublicKey key;
        try
        {
            key = PublicKey.FromProtobuf(payload.IdentityKey);
        }
        catch (Libp2pProtocolException e)
        {
            throw new NoiseHandshakeException($"Noise msg{message}: identity_key is not a valid libp2p public key: {e.Message}", e);
        }

        if (!key.Verify(SignedData(state.RemoteStaticPublicKey!), payload.IdentitySignature))
        {
            throw new NoiseHandshakeException($"Noise msg{message}: identity_sig of {key.ToPeerId()} does not sign the remote Noise static key");
        }

        if (expectedRemote is { } expected && key.ToPeerId() != expected)
        {
            throw new NoiseHandshakeException($"Noise msg{message}: remote peer is {key.ToPeerId()}, but we dialled {expected}");
        }

        return (payload, key);
    }

    // Inlined negotiation: only when both lists are non-empty; the initiator's preference wins.
    private static string? Negotiate(IReadOnlyList<string> initiatorMuxers, IReadOnlyList<string> responderMuxers)
    {
        if (initiatorMuxers.Count == 0 || responderMuxers.Count == 0)
        {
            return null;
        }

        foreach (var muxer in initiatorMuxers)
        {
            foreach (var candidate in responderMuxers)
            {
                if (string.Equals(muxer, candidate, StringComparison.Ordinal))
                {
                    return muxer;
                }
            }
        }

        throw new NoiseHandshakeException($"no common stream muxer: initiator offers [{string.Join(", ", initiatorMuxers)}], responder [{string.Join(", ", responderMuxers)}]");
    }

    private static void ValidateLocalMuxers(IReadOnlyList<string> localMuxers)
    {
        ArgumentNullException.ThrowIfNull(localMuxers);
        if (localMuxers.Count > NoiseHandshakePayload.MaxStreamMuxers)
        {
            throw new ArgumentException($"at most {NoiseHandshakePayload.MaxStreamMuxers} stream muxers can be announced", nameof(localMuxers));
        }

        foreach (var muxer in localMuxers)
        {
            if (string.IsNullOrEmpty(muxer) || Encoding.UTF8.GetByteCount(muxer) > NoiseHandshakePayload.MaxProtocolIdBytes)
            {
                throw new ArgumentException($"stream muxer ids must be 1..{NoiseHandshakePayload.MaxProtocolIdBytes} bytes", nameof(localMuxers));
            }
        }
    }

    private static async Task WriteMessageAsync(Stream inner, byte[] message, CancellationToken cancellationToken)
    {
        if (message.Length > MaxHandshakeMessage)
        {
            throw new NoiseHandshakeException($"our Noise handshake message of {message.Length} bytes exceeds {MaxHandshakeMessage}");
        }

        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        try
        {
            await inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new NoiseHandshakeException($"connection failed during the Noise handshake while writing: {e.Message}", e);
        }
    }

    // Reads one framed handshake message (exactly its bytes) and runs it through the state machine.
    private static async Task<byte[]> ReadMessageAsync(Stream inner, NoiseXXHandshakeState state, int message, CancellationToken cancellationToken)
    {
        var header = new byte[2];
        await ReadExactlyAsync(inner, header, message, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt16BigEndian(header);
        var min = NoiseXXHandshakeState.MinMessageSize(message - 1);
        if (message == 1 ? length != min : length < min)
        {
            // Decided on the length alone, so an absurd length fails at once instead of waiting for its bytes.
            throw new NoiseHandshakeException(message == 1
                ? $"Noise msg1 must be exactly {min} bytes (the ephemeral key, no payload), got a length of {length}"
                : $"Noise msg{message} length {length} is below the minimum of {min}");
        }

        var body = new byte[length];
        await ReadExactlyAsync(inner, body, message, cancellationToken).ConfigureAwait(false);
        return state.ReadMessage(body);
    }

    private static async Task ReadExactlyAsync(Stream inner, byte[] buffer, int message, CancellationToken cancellationToken)
    {
        try
        {
            await inner.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new NoiseHandshakeException($"connection closed during the Noise handshake while reading msg{message}", e);
        }
        catch (IOException e)
        {
            throw new NoiseHandshakeException($"connection failed during the Noise handshake while reading msg{message}: {e.Message}", e);
        }
    }
}
