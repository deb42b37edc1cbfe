using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Granary.Libp2p.Peers;

/// <summary>An Ed25519 public key: 32 raw bytes; signatures are plain RFC 8032 Ed25519 (64 bytes).</summary>
public sealed class Ed25519PublicKey : PublicKey
{
    /// <summary>Length of the key.</summary>
    public const int KeySize = 32;

    /// <summary>Length of a signature.</summary>
    public const int SignatureSize = 64;

    /// <summary>Wraps the 32 key bytes. Whether they are a curve point is only checked by <see cref="Verify"/>, which
    /// then returns false (js and go accept such keys at parse time too).</summary>
    /// <exception cref="Libp2pProtocolException">Not 32 bytes.</exception>
    public Ed25519PublicKey(ReadOnlySpan<byte> key)
        : base(KeyType.Ed25519, key.Length == KeySize
            ? key.ToArray()
            : throw new Libp2pProtocolException($"Ed25519 public key must be {KeySize} bytes, got {key.Length}"))
    {
    }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize && Ed25519.Verify(signature, Data.Span, data);
}
