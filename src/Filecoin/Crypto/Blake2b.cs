using Org.BouncyCastle.Crypto.Digests;

namespace Granary.Filecoin.Crypto;

/// <summary>BLAKE2b with a chosen digest length, as Filecoin uses it (160-bit address payloads, 32-bit checksums, 256-bit message hashes).</summary>
public static class Blake2b
{
    /// <summary>BLAKE2b of <paramref name="data"/> with a <paramref name="bytes"/>-byte digest.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data, int bytes)
    {
        var digest = new Blake2bDigest(bytes * 8);
        digest.BlockUpdate(data);
        var output = new byte[bytes];
        digest.DoFinal(output);
        return output;
    }

    /// <summary>BLAKE2b-256.</summary>
    public static byte[] Hash256(ReadOnlySpan<byte> data) => Hash(data, 32);
}
