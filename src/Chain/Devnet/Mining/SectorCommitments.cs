using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;

namespace Granary.Chain.Devnet.Mining;

/// <summary>
/// Sector commitments as CIDs: CommR is codec fil-commitment-sealed (0xf102) with multihash
/// poseidon-bls12_381-a2-fc1 (0xb401), CommD is fil-commitment-unsealed (0xf101) with sha2-256-trunc254-padded
/// (0x1012); both carry the 32-byte commitment as the digest.
/// </summary>
public static class SectorCommitments
{
    /// <summary>The multihash code of a sealed commitment.</summary>
    public const ulong PoseidonBls12381A2Fc1 = 0xb401;

    /// <summary>The CID of a CommR.</summary>
    public static Cid SealedCid(ReadOnlySpan<byte> commR) =>
        commR.Length == 32
            ? new Cid(1, Cid.FilCommitmentSealed, new Multihash(PoseidonBls12381A2Fc1, commR.ToArray()))
            : throw new ArgumentException("CommR is 32 bytes");

    /// <summary>The CID of a CommD.</summary>
    public static Cid UnsealedCid(ReadOnlySpan<byte> commD) => PieceCid.V1(commD);

    /// <summary>Whether <paramref name="cid"/> has the sealed-commitment prefix and a 32-byte digest.</summary>
    public static bool IsSealedCid(Cid cid) =>
        cid.Version == 1 && cid.Codec == Cid.FilCommitmentSealed && cid.Hash.Code == PoseidonBls12381A2Fc1 && cid.Hash.Digest.Length == 32;

    /// <summary>Whether <paramref name="cid"/> has the unsealed-commitment prefix and a 32-byte digest.</summary>
    public static bool IsUnsealedCid(Cid cid) =>
        cid.Version == 1 && cid.Codec == Cid.FilCommitmentUnsealed && cid.Hash.Code == Multihash.Sha2_256Trunc254Padded && cid.Hash.Digest.Length == 32;

    /// <summary>The 32-byte CommR inside a sealed CID.</summary>
    /// <exception cref="ArgumentException">Not a sealed-commitment CID.</exception>
    public static byte[] CommR(Cid sealedCid) =>
        IsSealedCid(sealedCid) ? [.. sealedCid.Hash.Digest] : throw new ArgumentException($"{sealedCid} is not a sealed sector CID");

    /// <summary>The 32-byte CommD inside an unsealed CID, or that of an all-zero sector when there is none (committed capacity).</summary>
    /// <exception cref="ArgumentException">Not an unsealed-commitment CID.</exception>
    public static byte[] CommD(Cid? unsealedCid, ulong sectorSize) => unsealedCid switch
    {
        null => ZeroPieces.Commitment((long)sectorSize),
        { } cid when IsUnsealedCid(cid) => [.. cid.Hash.Digest],
        { } cid => throw new ArgumentException($"{cid} is not an unsealed sector CID"),
    };
}
