namespace Granary.Grains.Deals;

/// <summary>The persisted state of <see cref="StorageAskGrain"/>.</summary>
[GenerateSerializer, Alias("granary.StorageAskState")]
public sealed class StorageAskState
{
    /// <summary>The ask; null before its first read.</summary>
    [Id(0)] public StorageAsk? Ask { get; set; }
}
