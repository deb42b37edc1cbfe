namespace Granary.Grains.Deals;

/// <summary>The back-pressure limits a proposal is admitted under (from <c>[Dealmaking]</c> of the silo that checks it).</summary>
/// <param name="MaxStagingBytes">Most bytes reserved in staging; 0: no limit.</param>
/// <param name="MaxConcurrentTransfers">Most deals transferring at once; 0: no limit.</param>
[GenerateSerializer, Immutable, Alias("granary.DealCapacity")]
public sealed record DealCapacity(
    [property: Id(0)] long MaxStagingBytes,
    [property: Id(1)] int MaxConcurrentTransfers);
