using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;

namespace Granary.Filecoin.Pieces;

/// <summary>
/// Piece CIDs. v1: codec fil-commitment-unsealed, multihash sha2-256-trunc254-padded over the 32-byte
/// CommP (<c>baga6ea4seaq…</c>). v2 (FRC-0069): codec raw, multihash fr32-sha256-trunc254-padbintree
/// whose digest is uvarint(padding) ‖ height ‖ root (<c>bafkzcib…</c>), so the payload size travels with it.
/// </summary>
public static class PieceCid
{
    /// <summary>The v1 piece CID of a commitment.</summary>
    public static Cid V1(ReadOnlySpan<byte> commP) =>
        new(1, Cid.FilCommitmentUnsealed, new Multihash(Multihash.Sha2_256Trunc254Padded, Root(commP)));

    /// <summary>The v2 piece CID of a commitment over <paramref name="payloadSize"/> payload bytes.</summary>
    public static Cid V2(ReadOnlySpan<byte> commP, long payloadSize)
    {
        var padded = PaddedPieceSize.ForPayload(payloadSize);
        var padding = PaddedPieceSize.Unpadded(padded) - payloadSize;
        var digest = new byte[Varint.Size((ulong)padding) + 1 + 32];
        var n = Varint.Write((ulong)padding, digest);
        digest[n] = (byte)PaddedPieceSize.Height(padded);
        Root(commP).CopyTo(digest, n + 1);
        return new Cid(1, Cid.Raw, new Multihash(Multihash.Fr32Sha256Trunc254PadBinTree, digest));
    }

    /// <summary>The 32-byte commitment inside a v1 piece CID (or a CommD / CommR-style CID).</summary>
    /// <exception cref="FilecoinFormatException">Not a v1 piece commitment CID.</exception>
    public static byte[] CommitmentOf(Cid cid)
    {
        if (cid.Version != 1 || cid.Codec != Cid.FilCommitmentUnsealed || cid.Hash.Code != Multihash.Sha2_256Trunc254Padded || cid.Hash.Digest.Length != 32)
        {
            throw new FilecoinFormatException($"{cid} is not a v1 piece CID (fil-commitment-unsealed, sha2-256-trunc254-padded)");
        }

        return cid.Hash.Digest;
    }

    private static byte[] Root(ReadOnlySpan<byte> commP) =>
        commP.Length == 32 ? commP.ToArray() : throw new ArgumentException("a piece commitment is 32 bytes");
}
