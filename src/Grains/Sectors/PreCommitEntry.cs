namespace Granary.Grains.Sectors;

/// <summary>One sector's pre-commit as the batcher sends it (a <c>SectorPreCommitInfo</c> of PreCommitSectorBatch2).</summary>
/// <param name="Number">The sector number.</param>
/// <param name="SealProof">The seal proof id.</param>
/// <param name="SealedCid">CommR as a CID string.</param>
/// <param name="SealRandEpoch">The ticket epoch.</param>
/// <param name="DealIds">Deals in the sector.</param>
/// <param name="Expiration">The expiration epoch.</param>
/// <param name="UnsealedCid">CommD as a CID string, or null for committed capacity.</param>
/// <param name="Added">When the sector handed it over (its batch's wait counts from the oldest entry).</param>
[GenerateSerializer, Immutable, Alias("granary.PreCommitEntry")]
public sealed record PreCommitEntry(
    [property: Id(0)] ulong Number,
    [property: Id(1)] long SealProof,
    [property: Id(2)] string SealedCid,
    [property: Id(3)] long SealRandEpoch,
    [property: Id(4)] ulong[] DealIds,
    [property: Id(5)] long Expiration,
    [property: Id(6)] string? UnsealedCid,
    [property: Id(7)] DateTimeOffset Added);

/// <summary>One sector's prove-commit as the batcher sends it (an activation of ProveCommitSectors3 with its proof).</summary>
/// <param name="Number">The sector number.</param>
/// <param name="Proof">The seal proof bytes.</param>
/// <param name="Pieces">The sector's deal pieces (the activation manifest); empty for committed capacity.</param>
/// <param name="Added">When the sector handed it over.</param>
[GenerateSerializer, Immutable, Alias("granary.CommitEntry")]
public sealed record CommitEntry(
    [property: Id(0)] ulong Number,
    [property: Id(1)] byte[] Proof,
    [property: Id(2)] SectorPiece[] Pieces,
    [property: Id(3)] DateTimeOffset Added);
