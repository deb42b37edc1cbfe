using Granary.Filecoin.Encoding;

namespace Granary.Filecoin.Cids;

/// <summary>A multihash: a hash function code and its digest.</summary>
public sealed record Multihash(ulong Code, byte[] Digest)
{
    /// <summary>identity (the "digest" is the data itself).</summary>
    public const ulong Identity = 0x00;

    /// <summary>sha2-256.</summary>
    public const ulong Sha2_256 = 0x12;

    /// <summary>blake2b-256.</summary>
    public const ulong Blake2b256 = 0xb220;

    /// <summary>fr32-sha256-trunc254-padbintree (piece CID v2, FRC-0069).</summary>
    public const ulong Fr32Sha256Trunc254PadBinTree = 0x1011;

    /// <summary>sha2-256-trunc254-padded (piece CID v1 / CommD / CommP).</summary>
    public const ulong Sha2_256Trunc254Padded = 0x1012;

    /// <summary>Longest digest accepted when reading.</summary>
    public const int MaxDigestBytes = 1024;

    /// <summary>The binary form: varint code, varint length, digest.</summary>
    public byte[] ToBytes() => [.. Varint.Encode(Code), .. Varint.Encode((ulong)Digest.Length), .. Digest];

    /// <summary>Reads a multihash from the start of <paramref name="bytes"/>.</summary>
    /// <exception cref="FilecoinFormatException">Truncated or with an over-long digest.</exception>
    public static Multihash Read(ReadOnlySpan<byte> bytes, out int consumed)
    {
        var code = Varint.Read(bytes, out var a);
        var length = Varint.Read(bytes[a..], out var b);
        if (length > MaxDigestBytes)
        {
            throw new FilecoinFormatException($"multihash digest of {length} bytes is longer than {MaxDigestBytes}");
        }

        if (bytes.Length < a + b + (int)length)
        {
            throw new FilecoinFormatException("multihash digest is truncated");
        }

        consumed = a + b + (int)length;
        return new Multihash(code, bytes.Slice(a + b, (int)length).ToArray());
    }

    /// <inheritdoc />
    public bool Equals(Multihash? other) => other is not null && Code == other.Code && Digest.AsSpan().SequenceEqual(other.Digest);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Code, Digest.Length > 0 ? Digest[0] : 0, Digest.Length);
}
