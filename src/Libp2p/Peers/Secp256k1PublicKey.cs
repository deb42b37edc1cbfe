using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;

namespace Granary.Libp2p.Peers;

/// <summary>
/// A secp256k1 public key, stored as the 33-byte compressed point (Bitcoin encoding). Signatures are DER ECDSA
/// over the SHA-256 of the message.
/// </summary>
public sealed class Secp256k1PublicKey : PublicKey
{
    /// <summary>Length of the compressed point, the form libp2p puts in <c>Data</c>.</summary>
    public const int CompressedSize = 33;

    private static readonly X9ECParameters Curve = SecNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve);

    private readonly ECPublicKeyParameters _parameters;

    /// <summary>Reads a point: compressed (33 bytes) or, as go and js also accept, uncompressed (65 bytes), which is
    /// normalised to the compressed form so the peer id does not depend on how the peer sent it.</summary>
    /// <exception cref="Libp2pProtocolException">Wrong length, or not a point on the curve.</exception>
    public Secp256k1PublicKey(ReadOnlySpan<byte> key)
        : this(Decode(key))
    {
    }

    private Secp256k1PublicKey(ECPoint point)
        : base(KeyType.Secp256k1, point.GetEncoded(compressed: true))
    {
        _parameters = new ECPublicKeyParameters(point, Domain);
    }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var signer = new DsaDigestSigner(new ECDsaSigner(), new Sha256Digest());
        signer.Init(forSigning: false, _parameters);
        signer.BlockUpdate(data);
        try
        {
            return signer.VerifySignature(signature.ToArray());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            // BouncyCastle reports some malformed DER as exceptions; to the caller it is just a bad signature.
            return false;
        }
    }

    private static ECPoint Decode(ReadOnlySpan<byte> key)
    {
        if (key.Length != CompressedSize && key.Length != 65)
        {
            throw new Libp2pProtocolException($"secp256k1 public key must be 33 (compressed) or 65 (uncompressed) bytes, got {key.Length}");
        }

        if (key[0] is not (0x02 or 0x03 or 0x04) || (key[0] == 0x04) != (key.Length == 65))
        {
            throw new Libp2pProtocolException($"secp256k1 public key has the invalid prefix byte 0x{key[0]:x2}");
        }

        try
        {
            var point = Curve.Curve.DecodePoint(key.ToArray()).Normalize();
            return point.IsValid() && !point.IsInfinity
                ? point
                : throw new Libp2pProtocolException("secp256k1 public key is not a valid curve point");
        }
        catch (ArgumentException e)
        {
            throw new Libp2pProtocolException("secp256k1 public key is not a point on the curve", e);
        }
    }
}
