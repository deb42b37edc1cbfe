using System.Security.Cryptography;

namespace Granary.Libp2p.Noise;

/// <summary>
/// The Noise_XX_25519_ChaChaPoly_SHA256 handshake state machine, byte-exact and I/O-free:
/// <c>-> e</c>, <c>&lt;- e, ee, s, es</c>, <c>-> s, se</c>. Keys can be fixed for test vectors; the libp2p layer
/// (<see cref="NoiseHandshake"/>) adds framing, payloads and identity checks on top.
/// </summary>
internal sealed class NoiseXXHandshakeState : IDisposable
{
    /// <summary>The full Noise protocol name (exactly 32 bytes, so it is h and ck unhashed).</summary>
    public const string ProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";

    private const int KeySize = NoiseX25519.KeySize;
    private const int EncryptedKeySize = KeySize + NoiseCipherState.TagSize;

    private readonly bool _initiator;
    private readonly NoiseSymmetricState _symmetric = new(ProtocolName);
    private readonly byte[] _staticPrivate;
    private readonly byte[] _ephemeralPrivate;
    private readonly byte[] _ephemeralPublic;
    private byte[]? _remoteEphemeral;
    private int _message;

    /// <summary>Starts a handshake.</summary>
    /// <param name="initiator">True for the side that sends the first message.</param>
    /// <param name="prologue">Mixed into h before the first message (libp2p uses an empty prologue).</param>
    /// <param name="staticPrivateKey">This side's X25519 static key.</param>
    /// <param name="ephemeralPrivateKey">A fixed ephemeral key for test vectors; empty means a random one.</param>
    public NoiseXXHandshakeState(bool initiator, ReadOnlySpan<byte> prologue, ReadOnlySpan<byte> staticPrivateKey, ReadOnlySpan<byte> ephemeralPrivateKey = default)
    {
        if (staticPrivateKey.Length != KeySize || (ephemeralPrivateKey.Length != 0 && ephemeralPrivateKey.Length != KeySize))
        {
            throw new ArgumentException("X25519 private keys are 32 bytes");
        }

        _initiator = initiator;
        _staticPrivate = staticPrivateKey.ToArray();
        StaticPublicKey = NoiseX25519.PublicKey(_staticPrivate);
        _ephemeralPrivate = ephemeralPrivateKey.Length == 0 ? NoiseX25519.GeneratePrivateKey() : ephemeralPrivateKey.ToArray();
        _ephemeralPublic = NoiseX25519.PublicKey(_ephemeralPrivate);
        _symmetric.MixHash(prologue);
    }

    /// <summary>This side's static public key (what the remote signs against on its side is its own).</summary>
    public byte[] StaticPublicKey { get; }

    /// <summary>The remote static key, once received (msg2 for the initiator, msg3 for the responder).</summary>
    public byte[]? RemoteStaticPublicKey { get; private set; }

    /// <summary>True after all three messages.</summary>
    public bool IsComplete => _message == 3;

    /// <summary>The handshake hash so far.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>Whether the next message is ours to write.</summary>
    public bool IsMyTurn => !IsComplete && (_message % 2 == 0) == _initiator;

    /// <summary>Smallest valid size of handshake message <paramref name="index"/> (0-based) with an empty payload.</summary>
    public static int MinMessageSize(int index) => index switch
    {
        0 => KeySize,
        1 => KeySize + EncryptedKeySize + NoiseCipherState.TagSize,
        _ => EncryptedKeySize + NoiseCipherState.TagSize,
    };

    /// <summary>Writes the next handshake message carrying <paramref name="payload"/>.</summary>
    public byte[] WriteMessage(ReadOnlySpan<byte> payload)
    {
        if (!IsMyTurn)
        {
            throw new InvalidOperationException($"Noise handshake message {_message + 1} is not ours to write");
        }

        Span<byte> dh = stackalloc byte[KeySize];
        byte[] result;
        switch (_message)
        {
            case 0:
                _symmetric.MixHash(_ephemeralPublic);
                result = [.. _ephemeralPublic, .. _symmetric.EncryptAndHash(payload)];
                break;
            case 1:
                _symmetric.MixHash(_ephemeralPublic);
                MixDh(_ephemeralPrivate, _remoteEphemeral!, dh); // ee
                var encryptedStatic = _symmetric.EncryptAndHash(StaticPublicKey);
                MixDh(_staticPrivate, _remoteEphemeral!, dh); // es (responder holds s)
                result = [.. _ephemeralPublic, .. encryptedStatic, .. _symmetric.EncryptAndHash(payload)];
                break;
            default:
                var encryptedOwnStatic = _symmetric.EncryptAndHash(StaticPublicKey);
                MixDh(_staticPrivate, _remoteEphemeral!, dh); // se (initiator holds s)
                result = [.. encryptedOwnStatic, .. _symmetric.EncryptAndHash(payload)];
                break;
        }

        _message++;
        return result;
    }

    /// <summary>Reads the next handshake message and returns its decrypted payload.</summary>
    /// <exception cref="NoiseHandshakeException">Too short, a low-order key, or failed authentication.</exception>
    public byte[] ReadMessage(ReadOnlySpan<byte> message)
    {
        if (IsMyTurn || IsComplete)
        {
            throw new InvalidOperationException($"Noise handshake message {_message + 1} is not ours to read");
        }

        var number = _message + 1;
        if (message.Length < MinMessageSize(_message))
        {
            throw new NoiseHandshakeException($"Noise msg{number} is {message.Length} bytes, shorter than the minimum {MinMessageSize(_message)}");
        }

        Span<byte> dh = stackalloc byte[KeySize];
        byte[] payload;
        switch (_message)
        {
            case 0:
                _remoteEphemeral = message[..KeySize].ToArray();
                _symmetric.MixHash(_remoteEphemeral);
                payload = Decrypt(message[KeySize..], number, "payload");
                break;
            case 1:
                _remoteEphemeral = message[..KeySize].ToArray();
                _symmetric.MixHash(_remoteEphemeral);
                MixDh(_ephemeralPrivate, _remoteEphemeral, dh); // ee
                RemoteStaticPublicKey = Decrypt(message.Slice(KeySize, EncryptedKeySize), number, "static key");
                MixDh(_ephemeralPrivate, RemoteStaticPublicKey, dh); // es (initiator holds e)
                payload = Decrypt(message[(KeySize + EncryptedKeySize)..], number, "payload");
                break;
            default:
                RemoteStaticPublicKey = Decrypt(message[..EncryptedKeySize], number, "static key");
                MixDh(_ephemeralPrivate, RemoteStaticPublicKey, dh); // se (responder holds e)
                payload = Decrypt(message[EncryptedKeySize..], number, "payload");
                break;
        }

        _message++;
        return payload;
    }

    /// <summary>
    /// Split after the last message: (send, receive) for this side. The initiator sends with k1 and receives with
    /// k2; the responder the other way round.
    /// </summary>
    public (NoiseCipherState Send, NoiseCipherState Receive) Split()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException("the Noise handshake is not complete");
        }

        var (k1, k2) = _symmetric.Split();
        return _initiator ? (k1, k2) : (k2, k1);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_staticPrivate);
        CryptographicOperations.ZeroMemory(_ephemeralPrivate);
        _symmetric.Dispose();
    }

    private void MixDh(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey, Span<byte> dh)
    {
        NoiseX25519.Agree(privateKey, publicKey, dh);
        _symmetric.MixKey(dh);
        CryptographicOperations.ZeroMemory(dh);
    }

    private byte[] Decrypt(ReadOnlySpan<byte> ciphertext, int number, string what) =>
        _symmetric.DecryptAndHash(ciphertext)
        ?? throw new NoiseHandshakeException($"Noise msg{number}: the {what} failed authentication (tampered, truncated or wrong keys)");
}
