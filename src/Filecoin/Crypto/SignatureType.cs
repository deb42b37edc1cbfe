namespace Granary.Filecoin.Crypto;

/// <summary>Filecoin signature types (the first byte of a signature's bytes).</summary>
public enum SignatureType : byte
{
    /// <summary>secp256k1 over BLAKE2b-256, 65-byte recoverable.</summary>
    Secp256k1 = 1,

    /// <summary>BLS12-381 (not verified by Granary yet).</summary>
    Bls = 2,

    /// <summary>Delegated (f4 accounts).</summary>
    Delegated = 3,
}

/// <summary>A signature: its type and data. Bytes on chain are the type byte then the data.</summary>
public sealed record Signature(SignatureType Type, byte[] Data)
{
    /// <summary>The on-chain bytes.</summary>
    public byte[] ToBytes() => [(byte)Type, .. Data];

    /// <summary>Reads the on-chain bytes.</summary>
    /// <exception cref="FilecoinFormatException">Empty, unknown type, or data of the wrong size for its type.</exception>
    public static Signature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes[0] is < 1 or > 3)
        {
            throw new FilecoinFormatException(bytes.IsEmpty ? "signature is empty" : $"unknown signature type {bytes[0]}");
        }

        var type = (SignatureType)bytes[0];
        var expected = type switch { SignatureType.Secp256k1 => 65, SignatureType.Bls => 96, _ => -1 };
        if (expected > 0 && bytes.Length - 1 != expected)
        {
            throw new FilecoinFormatException($"a {type} signature is {expected} bytes, got {bytes.Length - 1}");
        }

        return new Signature(type, bytes[1..].ToArray());
    }
}

/// <summary>A signature type Granary cannot verify (BLS, delegated).</summary>
public sealed class UnsupportedSignatureTypeException(SignatureType type)
    : NotSupportedException($"{type} signatures are not supported: Granary verifies secp256k1 signatures only")
{
    /// <summary>The type.</summary>
    public SignatureType Type { get; } = type;
}
