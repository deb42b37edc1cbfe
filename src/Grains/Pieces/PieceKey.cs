using Granary.Filecoin;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;
using Granary.Filecoin.Pieces;
using CidType = Granary.Filecoin.Cids.Cid;

namespace Granary.Grains.Pieces;

/// <summary>
/// A piece as the directory keys it: the v1 piece CID (<c>baga6ea4seaq…</c>). A v2 piece CID (FRC-0069,
/// <c>bafkzcib…</c>) names the same piece and also carries the payload size, so both forms are accepted and
/// reduced to the v1 text; the v2 form's size is kept for a check against the directory's record.
/// </summary>
/// <param name="Cid">The v1 piece CID.</param>
/// <param name="PieceSize">The padded piece size, when the CID says it (v2 only).</param>
/// <param name="PayloadSize">The payload size, when the CID says it (v2 only).</param>
public sealed record PieceKey(Cid Cid, long? PieceSize, long? PayloadSize)
{
    /// <summary>The grain key: the v1 CID text.</summary>
    public string Key => Cid.ToString();

    /// <summary>The 32-byte commitment.</summary>
    public byte[] Commitment => Cid.Hash.Digest;

    /// <summary>Parses a v1 or v2 piece CID.</summary>
    /// <exception cref="FilecoinFormatException">Not a CID, or a CID that is not a piece CID.</exception>
    public static PieceKey Parse(string text) => From(CidType.Parse(text));

    /// <summary>Parses a v1 or v2 piece CID; false with a reason when it is not one.</summary>
    public static bool TryParse(string text, out PieceKey key, out string reason)
    {
        try
        {
            key = Parse(text);
            reason = "";
            return true;
        }
        catch (FilecoinFormatException e)
        {
            key = null!;
            reason = e.Message;
            return false;
        }
    }

    /// <summary>Reduces a v1 or v2 piece CID to its key.</summary>
    /// <exception cref="FilecoinFormatException">Not a piece CID.</exception>
    public static PieceKey From(Cid cid)
    {
        if (cid.Version == 1 && cid.Codec == CidType.FilCommitmentUnsealed)
        {
            return new PieceKey(PieceCid.V1(PieceCid.CommitmentOf(cid)), null, null);
        }

        if (cid.Version == 1 && cid.Codec == CidType.Raw && cid.Hash.Code == Multihash.Fr32Sha256Trunc254PadBinTree)
        {
            // digest = uvarint(padding) ‖ height ‖ 32-byte root (FRC-0069).
            var digest = cid.Hash.Digest;
            var padding = Varint.Read(digest, out var n);
            if (digest.Length != n + 1 + 32)
            {
                throw new FilecoinFormatException($"{cid} is not a v2 piece CID: its digest is {digest.Length} bytes, not padding ‖ height ‖ 32-byte root");
            }

            var height = digest[n];
            if (height < 2 || height > PaddedPieceSize.Height(PaddedPieceSize.Max))
            {
                throw new FilecoinFormatException($"{cid} is not a v2 piece CID: tree height {height} is outside 2..{PaddedPieceSize.Height(PaddedPieceSize.Max)}");
            }

            var pieceSize = 32L << height;
            var capacity = PaddedPieceSize.Unpadded(pieceSize);
            if (padding > (ulong)capacity)
            {
                throw new FilecoinFormatException($"{cid} is not a v2 piece CID: padding {padding} is more than a {pieceSize}-byte piece holds");
            }

            return new PieceKey(PieceCid.V1(digest.AsSpan(n + 1, 32)), pieceSize, capacity - (long)padding);
        }

        throw new FilecoinFormatException($"{cid} is not a piece CID (v1 baga6ea4seaq… or v2 bafkzcib…)");
    }
}
