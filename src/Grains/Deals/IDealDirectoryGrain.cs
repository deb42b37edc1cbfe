using Granary.Grains.Sectors;
using Orleans.Concurrency;

namespace Granary.Grains.Deals;

/// <summary>
/// A miner's deals, cluster-wide (key: the miner address), on markets silos: the back-pressure ledger every gateway
/// admits proposals through (one activation, so two gateways cannot both take the last slot) and the listing
/// index, kept in pages of <see cref="DealListPage.Capacity"/> deals so no single write grows with the deal count.
/// </summary>
[Alias("granary.IDealDirectoryGrain")]
public interface IDealDirectoryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Admits a deal if its staging bytes, transfer slot and the sectors it needs fit <paramref name="capacity"/>, reserving
    /// them and listing it (persisted before returning). Admitting a deal already admitted answers as before.
    /// </summary>
    [Alias("Admit")]
    Task<DealAdmission> Admit(DealSummary deal, long stagingBytes, DealCapacity capacity);

    /// <summary>Records a deal's new summary; releases its transfer slot once transferred and its staging bytes once in a sector or failed.</summary>
    [Alias("Update")]
    Task Update(DealSummary deal, int page);

    /// <summary>Forgets a deal whose acceptance could not be recorded (releases and unlists it).</summary>
    [Alias("Withdraw")]
    Task Withdraw(Guid dealUuid, int page);

    /// <summary>Counts and reservations.</summary>
    [Alias("Describe")]
    Task<DealDirectoryInfo> Describe();

    /// <summary>
    /// The miner's deal-sector planner reports how many sectors are sealing for deals (sent on every change; the newest
    /// <see cref="DealSealingLoad.Version"/> wins).
    /// </summary>
    [Alias("SealingChanged"), OneWay]
    Task SealingChanged(DealSealingLoad load);

    /// <summary>The sealing backlog admissions are decided against (<see cref="DealCapacity.MaxSealingSectorsForDeals"/>).</summary>
    [Alias("DescribeSealing")]
    Task<DealSealingBacklog> DescribeSealing();

    /// <summary>Deals, newest first, skipping <paramref name="offset"/>, at most <paramref name="limit"/>.</summary>
    [Alias("List")]
    Task<IReadOnlyList<DealSummary>> List(int offset, int limit);
}
