namespace Granary.Grains.Sectors;

/// <summary>
/// How many sectors are sealing for a miner's deals, as its <see cref="IDealSectorPlannerGrain"/> counts them: pushed to
/// the miner's deal directory whenever it changes (<see cref="Deals.IDealDirectoryGrain.SealingChanged"/>) and read by
/// the directory when it activates (<see cref="IDealSectorPlannerGrain.SealingLoad"/>), so the directory decides
/// admissions against <c>[Dealmaking] MaxSealingSectorsForDeals</c> from memory.
/// </summary>
/// <param name="Version">Grows with every change the planner persists; the directory keeps the highest it has seen.</param>
/// <param name="SealingSectors">Deal sectors the planner opened that are not yet <c>Proving</c> (nor removed): the open
/// one in <c>WaitDeals</c>, and every one sealing, including those in a <c>*Failed</c> state being retried.</param>
/// <param name="OpenSectorFreeBytes">Padded bytes still free in the open <c>WaitDeals</c> sector; 0 when none is open.</param>
/// <param name="SectorSize">The miner's sector size in bytes; 0 when the planner does not know it yet.</param>
/// <param name="MeasuredSealDuration">The longest time from opened (<c>WaitDeals</c>) to <c>Proving</c> of the last few deal
/// sectors; zero before one reached <c>Proving</c>.</param>
[GenerateSerializer, Immutable, Alias("granary.DealSealingLoad")]
public sealed record DealSealingLoad(
    [property: Id(0)] long Version,
    [property: Id(1)] int SealingSectors,
    [property: Id(2)] long OpenSectorFreeBytes,
    [property: Id(3)] long SectorSize,
    [property: Id(4)] TimeSpan MeasuredSealDuration = default);
