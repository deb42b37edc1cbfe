namespace Granary.Grains.Sectors;

/// <summary>
/// A miner's sector numbers (key: the miner's actor id): allocated in order without gaps or reuse, and the list of every
/// sector started. The counter and the new sector are persisted before the sector grain is started, so a crash between
/// the two leaves a recorded number that the next call starts, never a hole.
/// </summary>
[Alias("granary.ISectorNumberGrain")]
public interface ISectorNumberGrain : IGrainWithIntegerKey
{
    /// <summary>Allocates the next number and starts a committed-capacity sector with it (<c>sectors pledge</c>).</summary>
    /// <param name="sealProof">The miner's seal proof id.</param>
    /// <returns>The new sector's number.</returns>
    [Alias("Pledge")]
    Task<ulong> Pledge(int sealProof);

    /// <summary>
    /// Allocates the next number and starts a deal sector with it (in <c>WaitDeals</c>), for the deal-sector planner.
    /// Idempotent per <paramref name="request"/>: asking again after a crash gets the same number, never a second one.
    /// </summary>
    /// <param name="sealProof">The miner's seal proof id.</param>
    /// <param name="request">The planner's token for this opening.</param>
    /// <returns>The new sector's number.</returns>
    [Alias("OpenDealSector")]
    Task<ulong> OpenDealSector(int sealProof, Guid request);

    /// <summary>Every allocated sector number, ascending.</summary>
    [Alias("Numbers")]
    Task<ulong[]> Numbers();
}
