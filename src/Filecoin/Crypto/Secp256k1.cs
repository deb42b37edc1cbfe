using Granary.Filecoin.Addresses;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;

namespace Granary.Filecoin.Crypto;

/// <summary>
/// Filecoin's secp256k1 signatures: the signer signs BLAKE2b-256 of the message with a deterministic
/// (RFC 6979) nonce and low S; the 65 bytes are r ‖ s ‖ recovery id. Verification recovers the public
/// key and compares its f1 address with the claimed signer, as Lotus does.
/// </summary>
public static class Secp256k1
{
    // BouncyCastle's custom secp256k1 (specialised field arithmetic, GLV) verifies about 2x faster than the
    // generic named curve; the devnet checks every message signature with it.
    private static readonly X9ECParameters Curve = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256k1");
    private static readonly BigInteger FieldPrime = Curve.Curve.Field.Characteristic;
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BigInteger HalfN = Curve.N.ShiftRight(1);

    /// <summary>The 65-byte uncompressed public key of a 32-byte private key.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> privateKey) =>
        Domain.G.Multiply(PrivateScalar(privateKey)).Normalize().GetEncoded(compressed: false);

    /// <summary>The f1 address of a private key.</summary>
    public static Address AddressOf(ReadOnlySpan<byte> privateKey) => Address.FromSecp256k1PublicKey(PublicKey(privateKey));

    /// <summary>Signs <paramref name="message"/> (hashed with BLAKE2b-256 first).</summary>
    public static Signature Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message)
    {
        var hash = Blake2b.Hash256(message);
        var d = PrivateScalar(privateKey);
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(d, Domain));
        var rs = signer.GenerateSignature(hash);
        var r = rs[0];
        var s = rs[1].CompareTo(HalfN) > 0 ? Curve.N.Subtract(rs[1]) : rs[1];
        var publicKey = Domain.G.Multiply(d).Normalize();
        for (byte v = 0; v < 2; v++)
        {
            if (Recover(hash, r, s, v) is { } q && q.Equals(publicKey))
            {
                return new Signature(SignatureType.Secp256k1, [.. Fixed32(r), .. Fixed32(s), v]);
            }
        }

        throw new InvalidOperationException("could not compute the signature's recovery id");
    }

    /// <summary>Recovers the 65-byte public key that made <paramref name="signature"/> over <paramref name="message"/>.</summary>
    /// <exception cref="FilecoinFormatException">The signature is malformed or recovers no key.</exception>
    public static byte[] RecoverPublicKey(Signature signature, ReadOnlySpan<byte> message)
    {
        if (signature.Type != SignatureType.Secp256k1)
        {
            throw new UnsupportedSignatureTypeException(signature.Type);
        }

        if (signature.Data.Length != 65 || signature.Data[64] > 3)
        {
            throw new FilecoinFormatException("a secp256k1 signature is 65 bytes: r, s, recovery id 0-3");
        }

        var r = new BigInteger(1, signature.Data, 0, 32);
        var s = new BigInteger(1, signature.Data, 32, 32);
        if (r.SignValue == 0 || s.SignValue == 0 || r.CompareTo(Curve.N) >= 0 || s.CompareTo(Curve.N) >= 0)
        {
            throw new FilecoinFormatException("secp256k1 signature values are out of range");
        }

        return Recover(Blake2b.Hash256(message), r, s, signature.Data[64])?.GetEncoded(compressed: false)
            ?? throw new FilecoinFormatException("secp256k1 signature recovers no public key");
    }

    /// <summary>True if <paramref name="signature"/> over <paramref name="message"/> was made by <paramref name="signer"/>.</summary>
    /// <exception cref="UnsupportedSignatureTypeException">A BLS or delegated signature.</exception>
    public static bool Verify(Signature signature, ReadOnlySpan<byte> message, Address signer)
    {
        if (signature.Type != SignatureType.Secp256k1)
        {
            throw new UnsupportedSignatureTypeException(signature.Type);
        }

        try
        {
            return Address.FromSecp256k1PublicKey(RecoverPublicKey(signature, message)).Equals(signer);
        }
        catch (FilecoinFormatException)
        {
            return false;
        }
    }

    // SEC 1 v2 §4.1.6, for the two recovery ids whose x-coordinate is r itself.
    private static ECPoint? Recover(byte[] hash, BigInteger r, BigInteger s, int v)
    {
        var x = r.Add(Curve.N.Multiply(BigInteger.ValueOf(v / 2)));
        if (x.CompareTo(FieldPrime) >= 0)
        {
            return null;
        }

        ECPoint rPoint;
        try
        {
            rPoint = Curve.Curve.DecodePoint([(byte)(0x02 | (v & 1)), .. Fixed32(x)]);
        }
        catch (ArgumentException)
        {
            return null;
        }

        // No subgroup check (R·n = ∞): secp256k1's cofactor is 1, so every point DecodePoint accepts (it checks the
        // curve equation) has order n. The check cost a full scalar multiplication per signature.
        var e = new BigInteger(1, hash);
        var rInverse = r.ModInverse(Curve.N);
        var q = ECAlgorithms.SumOfTwoMultiplies(rPoint, s.Multiply(rInverse).Mod(Curve.N), Domain.G, Curve.N.Subtract(e).Multiply(rInverse).Mod(Curve.N)).Normalize();
        return q.IsInfinity ? null : q;
    }

    private static BigInteger PrivateScalar(ReadOnlySpan<byte> privateKey)
    {
        var d = new BigInteger(1, privateKey.ToArray());
        return privateKey.Length == 32 && d.SignValue > 0 && d.CompareTo(Curve.N) < 0 ? d
            : throw new ArgumentException("a secp256k1 private key is 32 bytes in [1, n)");
    }

    private static byte[] Fixed32(BigInteger value)
    {
        var bytes = value.ToByteArrayUnsigned();
        return bytes.Length == 32 ? bytes : [.. new byte[32 - bytes.Length], .. bytes];
    }
}
