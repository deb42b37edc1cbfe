namespace Granary.Grains.Deals;

/// <summary>The persisted state of <see cref="DealDirectoryGrain"/>.</summary>
[GenerateSerializer, Alias("granary.DealDirectoryState")]
public sealed class DealDirectoryState
{
    /// <summary>
    /// Reservations as earlier versions kept them, all here; now each listing page keeps its own deals' (see
    /// <see cref="ReservedPages"/>). Moved to their pages by the first write after an upgrade.
    /// </summary>
    [Id(0)] public List<DealReservation> Reservations { get; set; } = new List<DealReservation>();

    /// <summary>Listing pages in use (0 before the first deal).</summary>
    [Id(1)] public int Pages { get; set; }

    /// <summary>Deals ever listed.</summary>
    [Id(2)] public long Deals { get; set; }

    /// <summary>Deals on the last page.</summary>
    [Id(3)] public int LastPageCount { get; set; }

    /// <summary>The listing pages holding at least one reservation (<see cref="DealListPage.Reservations"/>).</summary>
    [Id(4)] public List<int> ReservedPages { get; set; } = new List<int>();
}
