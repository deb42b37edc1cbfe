namespace Granary.Grains.Sectors;

/// <summary>The persisted state of a <see cref="SectorNumberGrain"/>.</summary>
[GenerateSerializer, Alias("granary.SectorNumberState")]
public sealed class SectorNumberState
{
    /// <summary>The next number to allocate.</summary>
    [Id(0)] public ulong Next { get; set; }

    /// <summary>Allocated numbers whose sector grain has not yet confirmed its start, with their proof ids.</summary>
    [Id(1)] public Dictionary<ulong, int> Starting { get; set; } = [];

    /// <summary>The numbers of <see cref="Starting"/> that are deal sectors (started in WaitDeals, not pledged).</summary>
    [Id(2)] public HashSet<ulong> DealSectors { get; set; } = new HashSet<ulong>();

    /// <summary>Deal sectors opened, by the planner's request token: asking again with a token gets the same number.</summary>
    [Id(3)] public Dictionary<Guid, ulong> Opened { get; set; } = new Dictionary<Guid, ulong>();
}
