namespace Granary.Grains.Deals;

/// <summary>The persisted state of <see cref="DealDirectoryGrain"/>.</summary>
[GenerateSerializer, Alias("granary.DealDirectoryState")]
public sealed class DealDirectoryState
{
    /// <summary>Deals holding staging bytes or a transfer slot.</summary>
    [Id(0)] public List<DealReservation> Reservations { get; set; } = [];

    /// <summary>Listing pages in use (0 before the first deal).</summary>
    [Id(1)] public int Pages { get; set; }

    /// <summary>Deals ever listed.</summary>
    [Id(2)] public long Deals { get; set; }

    /// <summary>Deals on the last page.</summary>
    [Id(3)] public int LastPageCount { get; set; }
}
