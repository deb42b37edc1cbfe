namespace Granary.Grains.Sectors;

/// <summary>The chain's view of a sector, for <c>sectors list</c>'s OnChain and Active columns.</summary>
/// <param name="OnChain">Pre-committed or proven.</param>
/// <param name="Active">Proven and not faulty.</param>
/// <param name="Expiration">The expiration on chain (0 if neither pre-committed nor proven).</param>
[GenerateSerializer, Immutable, Alias("granary.SectorChainStatus")]
public sealed record SectorChainStatus(
    [property: Id(0)] bool OnChain,
    [property: Id(1)] bool Active,
    [property: Id(2)] long Expiration);
