using Granary.Grains.Deals;
using Orleans.Concurrency;

namespace Granary.Grains.Sectors;

/// <summary>
/// A miner's deal-sector planner (key: the miner's address text, <c>t01000</c>): places each published deal's piece in an
/// open sector (lotus-miner's <c>WaitDeals</c>), at a padded offset aligned to the piece's size, and starts the sector
/// sealing when it is full, when <c>[Sealing] WaitDealsDelay</c> has passed since its first piece, or when a deal's start
/// epoch leaves no more time to wait.
/// </summary>
[Alias("granary.IDealSectorPlannerGrain")]
public interface IDealSectorPlannerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Places a deal's piece in a sector. Idempotent per <see cref="DealPieceRequest.DealId"/>: the same deal always gets the
    /// same assignment.
    /// </summary>
    /// <param name="request">The deal and its piece.</param>
    /// <returns>The sector and the padded offset the piece has in it.</returns>
    /// <exception cref="SectorPlanningException">The piece cannot fit any sector of the miner's size, or no sealing silo or
    /// storage can take it (the message says which).</exception>
    [Alias("AddPiece")]
    Task<PieceAssignment> AddPiece(DealPieceRequest request);

    /// <summary>
    /// How many sectors are sealing for deals (opened by this planner, not yet <c>Proving</c>) and the room left in the open
    /// one; what the miner's deal directory reads when it activates (it is pushed every change after). Answers while a
    /// placement is under way.
    /// </summary>
    [Alias("SealingLoad"), AlwaysInterleave]
    Task<DealSealingLoad> SealingLoad();

    /// <summary>
    /// A deal sector reports leaving sealing (<c>Proving</c>, or being removed): it no longer counts against
    /// <c>[Dealmaking] MaxSealingSectorsForDeals</c>.
    /// </summary>
    [Alias("SectorChanged"), OneWay]
    Task SectorChanged(SectorStateNotice notice);
}
