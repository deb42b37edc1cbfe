namespace Granary.Grains.Deals;

/// <summary>
/// The sealing backlog a miner's deal directory admits proposals against (<c>[Dealmaking] MaxSealingSectorsForDeals</c>):
/// the sectors sealing for deals, as the miner's deal-sector planner last reported them, and the sectors still needed for
/// the deals admitted but not yet in a sector.
/// </summary>
/// <param name="Known">Whether the planner's count is known (false until it was read or pushed, e.g. while no sealing silo
/// answers); while unknown no proposal is refused on sealing capacity.</param>
/// <param name="SealingSectors">Deal sectors open or sealing (from <c>WaitDeals</c> until <c>Proving</c>).</param>
/// <param name="OpenSectorFreeBytes">Padded bytes free in the open <c>WaitDeals</c> sector.</param>
/// <param name="SectorSize">The miner's sector size in bytes (0: unknown).</param>
/// <param name="WaitingPieceBytes">Padded piece bytes of the deals admitted but not yet in a sector.</param>
/// <param name="SectorsNeeded">Sectors those deals still need beyond the open sector's free space.</param>
/// <param name="Version">The version of the planner's last report (-1: none).</param>
/// <param name="MeasuredSealDuration">The longest <c>WaitDeals</c>→<c>Proving</c> time of the planner's last few deal sectors (zero: none yet).</param>
[GenerateSerializer, Immutable, Alias("granary.DealSealingBacklog")]
public sealed record DealSealingBacklog(
    [property: Id(0)] bool Known,
    [property: Id(1)] int SealingSectors,
    [property: Id(2)] long OpenSectorFreeBytes,
    [property: Id(3)] long SectorSize,
    [property: Id(4)] long WaitingPieceBytes,
    [property: Id(5)] int SectorsNeeded,
    [property: Id(6)] long Version,
    [property: Id(7)] TimeSpan MeasuredSealDuration = default);
