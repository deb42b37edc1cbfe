using Granary.Grains.Storage;
using Orleans.Concurrency;

namespace Granary.Grains.Pieces;

/// <summary>
/// The piece directory (Boost's local index directory, lotus's DAG store): for one piece, keyed by its v1 piece CID
/// (<see cref="PieceKey.Key"/>), the deals that carry it, the sectors it was placed in, a staged copy of its payload
/// until it is sealed, and the index of its CAR payload (block multihash → data range in the payload, rows in
/// <see cref="PieceBlockStore"/>). Placed on markets silos; the state is small and persisted.
/// </summary>
[Alias("granary.IPieceDirectoryGrain")]
public interface IPieceDirectoryGrain : IGrainWithStringKey
{
    /// <summary>What is known of the piece, or null if nothing is.</summary>
    [Alias("Info"), AlwaysInterleave]
    Task<PieceRecord?> Info();

    /// <summary>
    /// Records a deal of the piece with the piece's sizes (adding it again updates it, e.g. with the chain deal id).
    /// </summary>
    /// <exception cref="ArgumentException">Sizes that are not a piece's, or that differ from those already recorded.</exception>
    [Alias("AddDeal")]
    Task AddDeal(PieceDeal deal, long pieceSize, long payloadSize);

    /// <summary>Records (or with null, forgets) the staged payload file.</summary>
    [Alias("SetStaging")]
    Task SetStaging(PieceStaging? staging);

    /// <summary>
    /// The sealing side's call at <c>AddedPiece</c>: the piece is in <paramref name="sector"/> at padded offset
    /// <paramref name="offset"/> of the unsealed file, <paramref name="length"/> padded bytes long. Idempotent.
    /// </summary>
    /// <exception cref="ArgumentException">Not a piece placement (alignment, size), or a size other than the piece's.</exception>
    [Alias("AddSectorLocation")]
    Task AddSectorLocation(SectorId sector, long offset, long length);

    /// <summary>Forgets a sector location (the sector was removed).</summary>
    [Alias("RemoveSectorLocation")]
    Task RemoveSectorLocation(SectorId sector);

    /// <summary>
    /// Indexes the payload as a CAR from the best copy this silo can read, replacing an earlier index; an indexed piece
    /// is not indexed again unless <paramref name="force"/>. A payload that is not a CAR gives a
    /// <see cref="PieceIndexState.Failed"/> summary saying why (its <c>/piece</c> retrieval still works).
    /// </summary>
    /// <exception cref="PieceUnavailableException">No readable copy (recorded as failed; worth retrying once one exists).</exception>
    /// <exception cref="InvalidOperationException">No deal recorded the payload size yet.</exception>
    [Alias("IndexPiece"), ResponseTimeout("02:00:00")]
    Task<PieceIndexSummary> IndexPiece(bool force = false);
}
