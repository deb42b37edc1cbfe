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

    /// <summary>
    /// Adds or replaces each deal's summary and removes each of <paramref name="removed"/> (summary and reservation),
    /// then sets each of <paramref name="reservations"/> and drops those of <paramref name="released"/>, in one write
    /// (persisted before returning): the directory's group commit.
    /// </summary>
    [Alias("Apply")]
    Task Apply(IReadOnlyList<DealSummary> upserts, IReadOnlyList<Guid> removed, IReadOnlyList<DealReservation> reservations, IReadOnlyList<Guid> released);

    /// <summary>The reservations the page's deals hold.</summary>
    [Alias("Reservations")]
    Task<IReadOnlyList<DealReservation>> Reservations();

    /// <summary>Removes a deal (persisted before returning).</summary>
    [Alias("Remove")]
    Task Remove(Guid dealUuid);

    /// <summary>The page's deals, in admission order.</summary>
    [Alias("Get")]
    Task<IReadOnlyList<DealSummary>> Get();
}
