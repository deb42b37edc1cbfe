namespace Granary.Grains.Deals;

/// <summary>
/// One page of a miner's deal listing (key <c>MINER/PAGE</c>), written only by the miner's <see cref="IDealDirectoryGrain"/>.
/// </summary>
[Alias("granary.IDealListPageGrain")]
public interface IDealListPageGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces a deal's summary (persisted before returning).</summary>
    [Alias("Upsert")]
    Task Upsert(DealSummary deal);

    /// <summary>Removes a deal (persisted before returning).</summary>
    [Alias("Remove")]
    Task Remove(Guid dealUuid);

    /// <summary>The page's deals, in admission order.</summary>
    [Alias("Get")]
    Task<IReadOnlyList<DealSummary>> Get();
}
