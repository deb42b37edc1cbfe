namespace Granary.Grains.Sectors;

/// <summary>The persisted state of a <see cref="SectorNumberGrain"/>.</summary>
[GenerateSerializer, Alias("granary.SectorNumberState")]
public sealed class SectorNumberState
{
    /// <summary>The next number to allocate.</summary>
    [Id(0)] public ulong Next { get; set; }

    /// <summary>Allocated numbers whose sector grain has not yet confirmed its start, with their proof ids.</summary>
    [Id(1)] public Dictionary<ulong, int> Starting { get; set; } = [];
}
