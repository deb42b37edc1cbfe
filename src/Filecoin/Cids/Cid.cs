using Granary.Filecoin.Encoding;

namespace Granary.Filecoin.Cids;

/// <summary>
/// A content identifier. v0: a bare sha2-256 multihash, text in base58btc (<c>Qm…</c>). v1: version,
/// codec and multihash, text in multibase (base32 <c>b…</c> by default, base58btc <c>z…</c> accepted).
/// </summary>
public sealed record Cid(int Version, ulong Codec, Multihash Hash)
{
    /// <summary>dag-pb (the only codec of v0).</summary>
    public const ulong DagPb = 0x70;

    /// <summary>raw.</summary>
    public const ulong Raw = 0x55;

    /// <summary>dag-cbor.</summary>
    public const ulong DagCbor = 0x71;

    /// <summary>fil-commitment-unsealed (piece CID v1, CommD).</summary>
    public const ulong FilCommitmentUnsealed = 0xf101;

    /// <summary>fil-commitment-sealed (CommR).</summary>
    public const ulong FilCommitmentSealed = 0xf102;

    /// <summary>Longest CID text or bytes accepted.</summary>
    public const int MaxLength = 2048;

    /// <summary>The binary form.</summary>
    public byte[] ToBytes() => Version == 0
        ? Hash.ToBytes()
        : [.. Varint.Encode(1), .. Varint.Encode(Codec), .. Hash.ToBytes()];

    /// <summary>The canonical text: base58btc for v0, base32 multibase for v1.</summary>
    public override string ToString() => Version == 0 ? Base58.Encode(ToBytes()) : "b" + Base32.Encode(ToBytes());

    /// <summary>Reads a CID's binary form (the whole span).</summary>
    /// <exception cref="FilecoinFormatException">Not a CID, or trailing bytes.</exception>
    public static Cid FromBytes(ReadOnlySpan<byte> bytes)
    {
        var cid = Read(bytes, out var consumed);
        if (consumed != bytes.Length)
        {
            throw new FilecoinFormatException("trailing bytes after the CID");
        }

        return cid;
    }

    /// <summary>Reads a CID from the start of <paramref name="bytes"/>.</summary>
    /// <exception cref="FilecoinFormatException">Not a CID.</exception>
    public static Cid Read(ReadOnlySpan<byte> bytes, out int consumed)
    {
        if (bytes.Length > 1 && bytes[0] == 0x12 && bytes[1] == 0x20)
        {
            var v0 = Multihash.Read(bytes, out consumed);
            return new Cid(0, DagPb, v0);
        }

        var version = Varint.Read(bytes, out var a);
        if (version != 1)
        {
            throw new FilecoinFormatException(version == 0 ? "CIDv0 must be a sha2-256 multihash" : $"unsupported CID version {version}");
        }

        var codec = Varint.Read(bytes[a..], out var b);
        var hash = Multihash.Read(bytes[(a + b)..], out var c);
        consumed = a + b + c;
        return new Cid(1, codec, hash);
    }

    /// <summary>Parses CID text (v0 <c>Qm…</c>, v1 multibase <c>b…</c> or <c>z…</c>).</summary>
    /// <exception cref="FilecoinFormatException">Not a CID.</exception>
    public static Cid Parse(string text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
        {
            throw new FilecoinFormatException("CID text is empty or too long");
        }

        if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal))
        {
            return FromBytes(Base58.Decode(text));
        }

        var cid = text[0] switch
        {
            'b' or 'B' => FromBytes(Base32.Decode(text.AsSpan(1))),
            'z' => FromBytes(Base58.Decode(text.AsSpan(1))),
            _ => throw new FilecoinFormatException($"unsupported multibase prefix '{text[0]}' (expected b or z)"),
        };
        return cid.Version == 1 ? cid : throw new FilecoinFormatException("a multibase CID must be v1");
    }

    /// <inheritdoc />
    public bool Equals(Cid? other) => other is not null && Version == other.Version && Codec == other.Codec && Hash.Equals(other.Hash);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Version, Codec, Hash);
}
