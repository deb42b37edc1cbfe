namespace Granary.Grains.Pieces;

/// <summary>A deal whose data is a piece (a piece may be in several deals).</summary>
/// <param name="DealUuid">The Boost deal UUID.</param>
/// <param name="ChainDealId">The on-chain deal id once published, else 0.</param>
/// <param name="Miner">The provider's actor id (the <c>1000</c> of <c>f01000</c>).</param>
/// <param name="IsOffline">Whether the data was imported rather than transferred.</param>
/// <param name="AddedAt">When the directory first heard of the deal (default: when it is added).</param>
[GenerateSerializer, Immutable, Alias("granary.PieceDeal")]
public sealed record PieceDeal(
    [property: Id(0)] Guid DealUuid,
    [property: Id(1)] ulong ChainDealId,
    [property: Id(2)] ulong Miner,
    [property: Id(3)] bool IsOffline,
    [property: Id(4)] DateTimeOffset AddedAt = default);
