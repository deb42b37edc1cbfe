namespace Granary.Grains.Deals;

/// <summary>The back-pressure limits a proposal is admitted under (from <c>[Dealmaking]</c> of the silo that checks it).</summary>
/// <param name="MaxStagingBytes">Most bytes reserved in staging; 0: no limit.</param>
/// <param name="MaxConcurrentTransfers">Most deals transferring at once; 0: no limit.</param>
/// <param name="MaxSealingSectorsForDeals">Most sectors sealing for deals at once, counting those the deals waiting for a
/// sector still need (lotus's <c>MaxSealingSectorsForDeals</c>); 0: no limit.</param>
/// <param name="CurrentEpoch">The chain head the proposal was checked at (0: not given).</param>
/// <param name="BlockDelay">The chain's block delay, to turn a measured seal duration into epochs (zero: not given).</param>
/// <param name="ExpectedSealDuration">The configured seal estimate the proposal already passed; a longer measured one
/// (with <paramref name="MaxSealingSectorsForDeals"/> set) is checked against the start epoch as well.</param>
[GenerateSerializer, Immutable, Alias("granary.DealCapacity")]
public sealed record DealCapacity(
    [property: Id(0)] long MaxStagingBytes,
    [property: Id(1)] int MaxConcurrentTransfers,
    [property: Id(2)] int MaxSealingSectorsForDeals = 0,
    [property: Id(3)] long CurrentEpoch = 0,
    [property: Id(4)] TimeSpan BlockDelay = default,
    [property: Id(5)] TimeSpan ExpectedSealDuration = default);
