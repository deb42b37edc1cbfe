namespace Granary.Grains.Deals;

/// <summary>The persisted state of one listing page of a miner's deals (<see cref="IDealListPageGrain"/>).</summary>
[GenerateSerializer, Alias("granary.DealListPage")]
public sealed class DealListPage
{
    /// <summary>Deals per page: bounds the size of one page write.</summary>
    public const int Capacity = 256;

    /// <summary>The deals, in the order they were admitted.</summary>
    [Id(0)] public List<DealSummary> Deals { get; set; } = [];

    /// <summary>
    /// What the page's deals still hold (staging bytes, a transfer slot): the directory's back-pressure ledger, kept
    /// with the page so that one admission's write never grows with the deals outstanding elsewhere.
    /// </summary>
    [Id(1)] public List<DealReservation> Reservations { get; set; } = new List<DealReservation>();
}
