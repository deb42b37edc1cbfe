using System.Security.Cryptography;

namespace Granary.Libp2p.Peers;

/// <summary>
/// An ECDSA public key on NIST P-256, P-384 or P-521, as DER PKIX (SubjectPublicKeyInfo). Signatures are DER
/// ECDSA over the SHA-256 of the message, whatever the curve.
/// </summary>
public sealed class EcdsaPublicKey : PublicKey
{
    private static readonly string[] SupportedCurves =
    [
        "1.2.840.10045.3.1.7", // P-256
        "1.3.132.0.34", // P-384
        "1.3.132.0.35", // P-521
    ];

    /// <summary>Reads the PKIX DER bytes.</summary>
    /// <exception cref="Libp2pProtocolException">Not PKIX DER, trailing bytes, or a curve other than P-256/384/521.</exception>
    public EcdsaPublicKey(ReadOnlySpan<byte> pkix)
        : base(KeyType.Ecdsa, Validate(pkix))
    {
    }

    /// <summary>The curve's OID (e.g. 1.2.840.10045.3.1.7 for P-256).</summary>
    public string CurveOid
    {
        get
        {
            using var ecdsa = Import(Data.Span);
            return ecdsa.ExportParameters(false).Curve.Oid.Value ?? string.Empty;
        }
    }

    /// <inheritdoc />
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        // A fresh BCL key per call: verifying is rare (only for peers with ECDSA identities) and it keeps this
        // type free of disposable state.
        using var ecdsa = Import(Data.Span);
        try
        {
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static ECDsa Import(ReadOnlySpan<byte> pkix)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(pkix, out _);
        return ecdsa;
    }

    private static byte[] Validate(ReadOnlySpan<byte> pkix)
    {
        using var ecdsa = ECDsa.Create();
        int read;
        string? oid;
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(pkix, out read);
            oid = ecdsa.ExportParameters(false).Curve.Oid?.Value;
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            // PlatformNotSupportedException: a well-formed key on a curve the platform does not know.
            throw new Libp2pProtocolException($"ECDSA public key is not a valid PKIX EC key: {e.Message}", e);
        }

        if (read != pkix.Length)
        {
            throw new Libp2pProtocolException($"ECDSA public key has {pkix.Length - read} trailing bytes after the PKIX structure");
        }

        if (oid is null || Array.IndexOf(SupportedCurves, oid) < 0)
        {
            throw new Libp2pProtocolException($"ECDSA public key uses the unsupported curve {oid ?? "(explicit parameters)"}; only P-256, P-384 and P-521 are accepted");
        }

        return pkix.ToArray();
    }
}
