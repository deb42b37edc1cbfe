using System.Security.Cryptography;

namespace Granary.Libp2p.Peers;

/// <summary>
/// An RSA public key as DER PKIX (SubjectPublicKeyInfo), 2048 to 8192 bits as go-libp2p requires. Signatures are
/// RSASSA-PKCS1-v1_5 over SHA-256. Its protobuf is longer than 42 bytes, so its peer id is a sha2-256 multihash.
/// </summary>
public sealed class RsaPublicKey : PublicKey
{
    /// <summary>Smallest modulus accepted, in bits (go-libp2p's <c>MinRsaKeyBits</c>).</summary>
    public const int MinKeyBits = 2048;

    /// <summary>Largest modulus accepted, in bits (go and js cap RSA keys here).</summary>
    public const int MaxKeyBits = 8192;

    /// <summary>Reads the PKIX DER bytes.</summary>
    /// <exception cref="Libp2pProtocolException">Not PKIX DER RSA, trailing bytes, or a modulus outside 2048..8192 bits.</exception>
    public RsaPublicKey(ReadOnlySpan<byte> pkix)
        : base(KeyType.Rsa, Validate(pkix, out var bits))
    {
        KeyBits = bits;
    }

    /// <summary>Modulus size in bits.</summary>
    public int KeyBits { get; }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Data.Span, out _);
        try
        {
            return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[] Validate(ReadOnlySpan<byte> pkix, out int bits)
    {
        using var rsa = RSA.Create();
        int read;
        try
        {
            rsa.ImportSubjectPublicKeyInfo(pkix, out read);
        }
        catch (CryptographicException e)
        {
            throw new Libp2pProtocolException($"RSA public key is not a valid PKIX RSA key: {e.Message}", e);
        }

        if (read != pkix.Length)
        {
            throw new Libp2pProtocolException($"RSA public key has {pkix.Length - read} trailing bytes after the PKIX structure");
        }

        bits = rsa.KeySize;
        if (bits is < MinKeyBits or > MaxKeyBits)
        {
            throw new Libp2pProtocolException($"RSA public key of {bits} bits is outside the accepted {MinKeyBits}..{MaxKeyBits} bits");
        }

        return pkix.ToArray();
    }
}
